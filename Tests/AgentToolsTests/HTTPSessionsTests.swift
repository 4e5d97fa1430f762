import AgentTools
import Foundation
import MCP
import MarketCore
import MarketTesting
import Testing

/// Streamable HTTP without a socket: requests as the control API's `/mcp` route hands them
/// over, answers read back from the SSE streams.
@Suite("MCP sessions over Streamable HTTP")
struct HTTPSessionsTests {
  static let headers = [
    "Accept": "application/json, text/event-stream", "Content-Type": "application/json", "Host": "127.0.0.1:8686",
  ]

  struct Client {
    let sessions: HTTPSessions
    var id: String?
    var nextID = 1

    mutating func request(_ method: String, _ params: String = "{}", token: String? = nil) async throws -> [String: Any] {
      defer { nextID += 1 }
      let body = #"{"jsonrpc":"2.0","id":\#(nextID),"method":"\#(method)","params":\#(params)}"#
      let response = await sessions.handle(HTTPRequest(method: "POST", headers: headers(token), body: Data(body.utf8)))
      if id == nil { id = response.headers[HTTPHeaderName.sessionID] }
      guard case .stream(let stream, _) = response else {
        Issue.record("\(method): status \(response.statusCode)")
        return [:]
      }
      for event in try await HTTPSessionsTests.events(stream) where !event.isEmpty {
        if let object = try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] { return object }
      }
      return [:]
    }

    func notify(_ method: String) async -> Int {
      let body = #"{"jsonrpc":"2.0","method":"\#(method)"}"#
      return await sessions.handle(HTTPRequest(method: "POST", headers: headers(nil), body: Data(body.utf8))).statusCode
    }

    func headers(_ token: String?) -> [String: String] {
      var headers = HTTPSessionsTests.headers
      if let id { headers[HTTPHeaderName.sessionID] = id }
      if let token { headers["Authorization"] = "Bearer \(token)" }
      return headers
    }

    static func open(_ sessions: HTTPSessions) async throws -> Client {
      var client = Client(sessions: sessions)
      let result = try await client.request(
        "initialize", #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#)
      #expect(result["result"] != nil)
      #expect(await client.notify("notifications/initialized") == 202)
      return client
    }
  }

  /// The `data` of each event until the stream ends.
  static func events(_ stream: AsyncThrowingStream<Data, any Error>) async throws -> [String] {
    var text = ""
    for try await chunk in stream { text += String(decoding: chunk, as: UTF8.self) }
    return events(text)
  }

  static func events(_ text: String) -> [String] {
    text.components(separatedBy: "\n\n").compactMap { event in
      event.split(separator: "\n").first { $0.hasPrefix("data:") }.map {
        String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces)
      }
    }
  }

  static func isError(_ response: [String: Any]) -> Bool {
    ((response["result"] as? [String: Any])?["isError"] as? Bool) == true
  }

  @Test("a session answers tools; with a token configured, only the mutating tool needs it")
  func tokenRule() async throws {
    let harness = MCPHarness()
    let sessions = HTTPSessions(tools: harness.tools, mutations: .bearerToken { $0 == "s3cret" })
    var client = try await Client.open(sessions)
    #expect(await sessions.count == 1)

    let quote = try await client.request("tools/call", #"{"name":"get_quote","arguments":{"symbol":"AAPL"}}"#)
    #expect(!Self.isError(quote))

    let edit = #"{"name":"set_watchlist_symbol","arguments":{"immortal":"lu-dongbin","symbol":"MSFT","active":true}}"#
    let refused = try await client.request("tools/call", edit)
    #expect(Self.isError(refused))
    let wrong = try await client.request("tools/call", edit, token: "guess")
    #expect(Self.isError(wrong))
    #expect(!"\(wrong)".contains("s3cret"))
    #expect(harness.core.watchlist(.luDongbin).activeSymbols.contains(Symbol("MSFT")) == false)

    let accepted = try await client.request("tools/call", edit, token: "s3cret")
    #expect(!Self.isError(accepted))
    #expect(harness.core.watchlist(.luDongbin).activeSymbols.contains(Symbol("MSFT")))
  }

  @Test("requests without a session, or with an unknown one, are refused")
  func sessionRules() async throws {
    let harness = MCPHarness()
    let sessions = HTTPSessions(tools: harness.tools, mutations: .open)
    let list = Data(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.utf8)
    let missing = await sessions.handle(HTTPRequest(method: "POST", headers: Self.headers, body: list))
    #expect(missing.statusCode == 400)
    var headers = Self.headers
    headers[HTTPHeaderName.sessionID] = "not-a-session"
    let unknown = await sessions.handle(HTTPRequest(method: "POST", headers: headers, body: list))
    #expect(unknown.statusCode == 404)
    headers = Self.headers
    headers["Host"] = "evil.example:8686"
    let rebinding = await sessions.handle(
      HTTPRequest(
        method: "POST", headers: headers,
        body: Data(
          #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
            .utf8)))
    #expect(rebinding.statusCode == 421, "a loopback server refuses other Host names")
    #expect(await sessions.count == 0)
  }

  @Test(
    "notifications arrive on the GET stream; DELETE ends the session and releases everything",
    .timeLimit(.minutes(1)))
  func notificationsAndDelete() async throws {
    let harness = MCPHarness()
    let before = harness.core.status().eventSubscribers
    let sessions = HTTPSessions(tools: harness.tools, mutations: .open)
    var client = try await Client.open(sessions)
    let get = await sessions.handle(HTTPRequest(method: "GET", headers: client.headers(nil)))
    guard case .stream(let notifications, _) = get else {
      Issue.record("GET gave \(get.statusCode)")
      return
    }
    let subscribed = try await client.request("resources/subscribe", #"{"uri":"lianyaohu://quotes/AAPL"}"#)
    #expect(subscribed["result"] != nil)
    #expect(harness.core.status().eventSubscribers == before + 1)
    _ = try await harness.core.quote(Symbol("AAPL"))
    // The update reaches the stream through the core's event bus, in its own time: read
    // until it is there, then end the session.
    var received = notifications.makeAsyncIterator()
    var text = ""
    while !text.contains("notifications/resources/updated"), let chunk = try await received.next() {
      text += String(decoding: chunk, as: UTF8.self)
    }

    let delete = await sessions.handle(HTTPRequest(method: "DELETE", headers: client.headers(nil)))
    #expect(delete.statusCode == 200)
    #expect(await sessions.count == 0)
    // The GET stream ends with the session.
    while let chunk = try await received.next() { text += String(decoding: chunk, as: UTF8.self) }
    let events = Self.events(text)
    #expect(events.contains { $0.contains("notifications/resources/updated") && $0.contains("lianyaohu://quotes/AAPL") })
    #expect(await eventually { harness.core.status().eventSubscribers == before })
  }

  @Test("an idle session expires on the core's clock; one with an open stream does not")
  func idleExpiry() async throws {
    let harness = MCPHarness()
    var configuration = HTTPSessions.Configuration()
    configuration.idleTimeout = .seconds(60)
    let sessions = HTTPSessions(tools: harness.tools, mutations: .open, configuration: configuration)
    let before = harness.core.status().eventSubscribers
    var idle = try await Client.open(sessions)
    _ = try await idle.request("resources/subscribe", #"{"uri":"lianyaohu://quotes/AAPL"}"#)
    let listening = try await Client.open(sessions)
    let get = await sessions.handle(HTTPRequest(method: "GET", headers: listening.headers(nil)))
    #expect(get.statusCode == 200)
    #expect(await sessions.count == 2)

    harness.clock.advance(by: .seconds(59))
    _ = await sessions.handle(HTTPRequest(method: "POST", headers: Self.headers, body: Data("{}".utf8)))
    #expect(await sessions.count == 2)
    harness.clock.advance(by: .seconds(1))
    _ = await sessions.handle(HTTPRequest(method: "POST", headers: Self.headers, body: Data("{}".utf8)))
    #expect(await sessions.count == 1, "the idle one went, the listening one stayed")
    #expect(await eventually { harness.core.status().eventSubscribers == before })
    await sessions.closeAll()
    #expect(await sessions.count == 0)
  }

  @Test("at most maximumSessions at once")
  func bound() async throws {
    let harness = MCPHarness()
    var configuration = HTTPSessions.Configuration()
    configuration.maximumSessions = 2
    let sessions = HTTPSessions(tools: harness.tools, mutations: .open, configuration: configuration)
    _ = try await Client.open(sessions)
    _ = try await Client.open(sessions)
    let third = await sessions.handle(
      HTTPRequest(
        method: "POST", headers: Self.headers,
        body: Data(
          #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
            .utf8)))
    #expect(third.statusCode == 503)
    await sessions.closeAll()
  }
}
