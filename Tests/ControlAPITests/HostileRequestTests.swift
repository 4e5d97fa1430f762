import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

/// Requests the route tests do not make: unknown names on every mutating route, bodies of
/// the wrong shape for PUT, malformed credentials and escapes. Each gets a 4xx with the API's
/// JSON error body, never a 5xx.
@Suite("Hostile requests")
struct HostileRequestTests {
  @Test("an unknown immortal is 404 on PUT and PATCH too, before the body is looked at")
  func unknownImmortal() async throws {
    try await APIHarness().test { client in
      for method in [HTTPRequest.Method.put, .patch] {
        let response = try await client.send(method, "/v1/immortals/sun-wukong", json: "not even json")
        #expect(response.status == .notFound, "\(method)")
        #expect(response.errorClass == "unknown_immortal", "\(method)")
      }
    }
  }

  @Test("PUT bodies of the wrong shape or with invalid symbols are 400")
  func putBodies() async throws {
    try await APIHarness().test { client in
      let shapes = [
        "not json", "[]", #"{"symbols":"AAPL"}"#, #"{"symbols":[{"active":true}]}"#, #"{"symbols":[{"symbol":7}]}"#,
        #"{"symbols":[{"symbol":"AAPL","active":"yes"}]}"#,
      ]
      for body in shapes {
        let response = try await client.send(.put, "/v1/immortals/lu-dongbin", json: body)
        #expect(response.status == .badRequest, "\(body)")
        #expect(response.errorClass == "invalid_body", "\(body)")
      }
      for symbol in ["", "A B", "../etc", "\\u001b[31m", String(repeating: "A", count: 200)] {
        let response = try await client.send(.put, "/v1/immortals/lu-dongbin", json: #"{"symbols":[{"symbol":"\#(symbol)"}]}"#)
        #expect(response.status == .badRequest, "\(symbol)")
        #expect(response.errorClass == "invalid_symbol", "\(symbol)")
      }
    }
  }

  @Test("provider names past 64 bytes, cache prefixes out of bounds and broken escapes are refused")
  func namesAndEscapes() async throws {
    try await APIHarness().test { client in
      let longName = try await client.send(.post, "/v1/providers/" + String(repeating: "p", count: 65) + "/trip")
      #expect(longName.status == .notFound)
      #expect(longName.errorClass == "unknown_provider")
      for prefix in ["", String(repeating: "a", count: 65), "v1:quote:*", "%E5%90%95"] {
        let response = try await client.send(.delete, "/v1/cache?prefix=\(prefix)")
        #expect(response.status == .badRequest, "\(prefix)")
        #expect(response.errorClass == "invalid_prefix", "\(prefix)")
      }
      for uri in ["/v1/quotes/%ZZ", "/v1/quotes/%", "/v1/quotes/%E5%90", "/v1/quotes/%00"] {
        let response = try await client.get(uri)
        #expect(response.status == .badRequest, "\(uri)")
        #expect(response.errorClass == "invalid_symbol", "\(uri)")
      }
    }
  }

  @Test("malformed Authorization headers are 401 with the bearer challenge")
  func malformedCredentials() async throws {
    try await APIHarness(token: "right-token").test { client in
      for header in [
        "Bearer", "Bearer ", "Bearer right-token extra", "Basic cmlnaHQ6dG9rZW4=", "right-token", "Bearer\tright-token",
      ] {
        let response = try await client.execute(uri: "/v1/cache", method: .delete, headers: [.authorization: header])
        #expect(response.status == .unauthorized, "\(header)")
        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(header)")
      }
      let lowercaseScheme = try await client.execute(
        uri: "/v1/cache", method: .delete, headers: [.authorization: "bearer right-token"])
      #expect(lowercaseScheme.status == .ok, "the scheme is case-insensitive (RFC 9110)")
    }
  }

  @Test("stream options past their limits are 400")
  func streamOptions() async throws {
    try await APIHarness { $0.maximumBatchSymbols = 2 }.test { client in
      for uri in [
        "/v1/stream?symbols=A,B,C", "/v1/stream?max_events=1000001", "/v1/stream?max_events=-1", "/v1/stream?max_events=1.5",
        "/v1/stream?symbols=" + String(repeating: "A,", count: 600),
      ] {
        let response = try await client.get(uri)
        #expect(response.status == .badRequest, "\(uri)")
      }
    }
  }
}
