import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@Suite("Security")
struct SecurityTests {
  static let secret = "s3cret-token-value"

  @Test("with a token, mutating routes need it; reads stay open; the token is never echoed")
  func tokenRules() async throws {
    let harness = APIHarness(token: Self.secret)
    try await harness.test { client in
      let mutating: [(HTTPRequest.Method, String, String?)] = [
        (.post, "/v1/providers/alpha/trip", nil), (.post, "/v1/providers/alpha/reset", nil),
        (.post, "/v1/providers/alpha/disable", nil), (.post, "/v1/providers/alpha/enable", nil),
        (.delete, "/v1/cache", nil), (.delete, "/v1/cache/AAPL", nil),
        (.patch, "/v1/immortals/lu-dongbin", #"{"edits":[{"op":"toggle","symbol":"AAPL"}]}"#),
        (.put, "/v1/immortals/lu-dongbin", #"{"symbols":[{"symbol":"AAPL"}]}"#),
      ]
      for (method, uri, body) in mutating {
        let missing = try await client.send(method, uri, json: body)
        #expect(missing.status == .unauthorized, "\(method) \(uri)")
        #expect(missing.errorClass == "unauthorized")
        #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        let wrong = try await client.send(method, uri, json: body, token: "guess")
        #expect(wrong.status == .unauthorized, "\(method) \(uri)")
        #expect(wrong.errorClass == "invalid_token")
        #expect(!wrong.text.contains(Self.secret) && !wrong.text.contains("guess"))
        let right = try await client.send(method, uri, json: body, token: Self.secret)
        #expect(right.status == .ok, "\(method) \(uri)")
        #expect(!right.text.contains(Self.secret))
      }
      let wrongScheme = try await client.execute(
        uri: "/v1/cache", method: .delete, headers: [.authorization: "Basic \(Self.secret)"])
      #expect(wrongScheme.status == .unauthorized)
      for uri in ["/v1/quotes/AAPL", "/v1/providers", "/v1/cache", "/v1/immortals", "/healthz", "/readyz"] {
        let read = try await client.get(uri)
        #expect(read.status == .ok, "\(uri)")
        #expect(!read.text.contains(Self.secret))
      }
    }
  }

  @Test("without a token, mutating routes are open (the server then only listens on loopback)")
  func noToken() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.send(.post, "/v1/providers/alpha/trip")
      #expect(response.status == .ok)
    }
  }

  @Test("a non-loopback address is refused without a token, accepted with one")
  func bindRules() throws {
    var configuration = APIConfiguration()
    for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1"] {
      configuration.host = host
      #expect(throws: Never.self) { try configuration.validate() }
    }
    for host in ["0.0.0.0", "192.168.1.10", "::", "example.com", "127.0.0.1.example.com"] {
      configuration.host = host
      #expect(throws: APIConfigurationError.nonLoopbackWithoutToken(host: host)) { try configuration.validate() }
    }
    let error = APIConfigurationError.nonLoopbackWithoutToken(host: "0.0.0.0")
    #expect(error.description.contains("LIANYAOHU_API_TOKEN"))
    configuration.host = "0.0.0.0"
    configuration.token = APIToken("x")
    #expect(throws: Never.self) { try configuration.validate() }
    configuration.port = 70_000
    #expect(throws: APIConfigurationError.invalidPort(70_000)) { try configuration.validate() }
  }

  @Test("a token prints redacted, and blank values are no token")
  func tokenValue() throws {
    let token = try #require(APIToken("  abc  "))
    #expect("\(token)" == "<redacted>")
    #expect(String(reflecting: token) == "<redacted>")
    #expect(token.matches("abc"))
    #expect(!token.matches("abd"))
    #expect(!token.matches("ab"))
    #expect(!token.matches("abcd"))
    #expect(APIToken("") == nil)
    #expect(APIToken(" \n") == nil)
  }

  @Test("bodies, queries and paths are bounded")
  func limits() async throws {
    let harness = APIHarness { $0.maximumBodyBytes = 256 }
    try await harness.test { client in
      let big = #"{"edits":[{"op":"toggle","symbol":"AAPL"}],"padding":""# + String(repeating: "x", count: 400) + #""}"#
      let tooLarge = try await client.send(.patch, "/v1/immortals/lu-dongbin", json: big)
      #expect(tooLarge.status == .contentTooLarge)
      #expect(tooLarge.errorClass == "body_too_large")
      let longList = try await client.get("/v1/quotes?symbols=" + String(repeating: "A,", count: 501))
      #expect(longList.status == .badRequest)
      #expect(longList.errorClass == "symbols_too_long")
      let longQuery = try await client.get("/v1/quotes?symbols=" + String(repeating: "%41", count: 6_000))
      #expect(longQuery.status == .uriTooLong)
      #expect(longQuery.errorClass == "uri_too_long")
      let longPath = try await client.get("/v1/quotes/" + String(repeating: "A", count: 9_000))
      #expect(longPath.status == .uriTooLong)
      let spaced = try await client.get("/v1/quotes/%20AAPL")
      #expect(spaced.status == .badRequest)
      #expect(spaced.errorClass == "invalid_symbol")
    }
  }

  @Test("unknown routes are 404, known paths with another method 405 with Allow, both as JSON")
  func routing() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let missing = try await client.get("/v2/nothing")
      #expect(missing.status == .notFound)
      #expect(missing.errorClass == "no_such_route")
      let wrongMethod = try await client.get("/v1/cache/AAPL")
      #expect(wrongMethod.status == .methodNotAllowed)
      #expect(wrongMethod.headers[.allow] == "DELETE")
      #expect(wrongMethod.errorClass == "method_not_allowed")
      let post = try await client.send(.post, "/v1/quotes/AAPL")
      #expect(post.status == .methodNotAllowed)
      #expect(post.headers[.allow] == "GET")
    }
  }

  @Test("messages quote hostile input only as a short printable excerpt")
  func noEcho() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/immortals/%1B%5B31m" + String(repeating: "x", count: 100))
      #expect(response.status == .notFound)
      let message = (response.object["error"] as? [String: Any])?["message"] as? String ?? ""
      #expect(!message.contains("\u{1B}"))
      #expect(!message.contains(String(repeating: "x", count: 40)))
    }
  }
}
