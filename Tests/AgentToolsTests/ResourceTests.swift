import Foundation
import MCP
import MarketCore
import MarketTesting
import Testing

@testable import AgentTools

@Suite("Resources, subscriptions and the prompt")
struct ResourceTests {
  @Test("resources/list names the immortals; the quote resource is a template")
  func listing() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let (resources, _) = try await connection.client.listResources()
    #expect(resources.first?.uri == "lianyaohu://immortals")
    #expect(resources.count == 9)
    #expect(resources.contains { $0.uri == "lianyaohu://immortals/li-tieguai" })
    let (templates, _) = try await connection.client.listResourceTemplates()
    #expect(templates.map(\.uriTemplate) == ["lianyaohu://quotes/{symbol}", "lianyaohu://immortals/{id}"])
  }

  @Test("reading a quote, an immortal and the immortals gives JSON in the tools' shapes")
  func reading() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let tools = ToolCatalog.standard

    let quote = try await json(connection, "lianyaohu://quotes/AAPL")
    expectConforms(quote, to: tools.first { $0.name == "get_quote" }?.outputSchema)
    #expect(quote.objectValue?["source"] == "alpha")

    let vix = try await json(connection, "lianyaohu://quotes/%5EVIX")
    #expect(vix.objectValue?["symbol"] == "^VIX")

    let immortal = try await json(connection, "lianyaohu://immortals/lu-dongbin")
    expectConforms(immortal, to: tools.first { $0.name == "get_watchlist" }?.outputSchema)

    let immortals = try await json(connection, "lianyaohu://immortals")
    expectConforms(immortals, to: tools.first { $0.name == "list_immortals" }?.outputSchema)
  }

  @Test(
    "unknown resources and unknown symbols are resource-not-found errors",
    arguments: [
      "lianyaohu://quotes/ZZZZ", "lianyaohu://quotes/!!", "lianyaohu://nothing", "file:///etc/passwd",
      "lianyaohu://immortals/nobody",
    ])
  func notFound(uri: String) async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    do {
      _ = try await connection.client.readResource(uri: uri)
      Issue.record("read \(uri)")
    } catch let error as MCPError {
      #expect(error.code == -32002, "\(error)")
    }
  }

  @Test("a subscribed quote is announced when a new value arrives, at most once a second, the last one never lost")
  func subscription() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let uri = "lianyaohu://quotes/AAPL"
    try await connection.client.subscribeToResource(uri: uri)
    #expect(connection.session.subscribedURIs == [uri])

    // A new value: announced at once.
    _ = try await harness.core.quote(Symbol("AAPL"))
    #expect(await eventually { connection.notifications.count(of: uri) == 1 })

    // Two more inside the same second: folded into one, sent when the second ends.
    await harness.core.refresh([Symbol("AAPL")])
    await harness.core.refresh([Symbol("AAPL")])
    await harness.clock.waitForSleepers(1)
    #expect(connection.notifications.count(of: uri) == 1)
    harness.clock.advance(by: .seconds(1))
    #expect(await eventually { connection.notifications.count(of: uri) == 2 })

    // Other symbols are not announced.
    _ = try await harness.core.quote(Symbol("NVDA"))
    harness.clock.advance(by: .seconds(2))
    await harness.core.refresh([Symbol("AAPL")])
    #expect(await eventually { connection.notifications.count(of: uri) == 3 })
    #expect(connection.notifications.received.allSatisfy { $0 == uri })
  }

  @Test("unsubscribing the last resource releases the core's event stream")
  func unsubscribeReleases() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let before = harness.core.status().eventSubscribers
    enum Unsubscribe: Method {
      static let name = "resources/unsubscribe"
      typealias Parameters = Value
    }
    try await connection.client.subscribeToResource(uri: "lianyaohu://quotes/AAPL")
    try await connection.client.subscribeToResource(uri: "lianyaohu://quotes/NVDA")
    #expect(harness.core.status().eventSubscribers == before + 1, "one listener per session, whatever it watches")
    _ = try await connection.client.send(Unsubscribe.request(["uri": "lianyaohu://quotes/AAPL"])).value
    #expect(harness.core.status().eventSubscribers == before + 1)
    _ = try await connection.client.send(Unsubscribe.request(["uri": "lianyaohu://quotes/NVDA"])).value
    #expect(await eventually { harness.core.status().eventSubscribers == before })

    // Nothing is announced any more.
    _ = try await harness.core.quote(Symbol("AAPL"))
    _ = try await connection.call("get_quote", ["symbol": "NVDA"])
    #expect(connection.notifications.received.isEmpty)
  }

  @Test("closing a session releases its subscriptions and any folded notification")
  func closeReleases() async throws {
    let harness = MCPHarness()
    let before = harness.core.status().eventSubscribers
    let connection = try await harness.connect()
    try await connection.client.subscribeToResource(uri: "lianyaohu://quotes/AAPL")
    _ = try await harness.core.quote(Symbol("AAPL"))
    await harness.core.refresh([Symbol("AAPL")])
    await harness.clock.waitForSleepers(1)
    #expect(harness.core.status().eventSubscribers == before + 1)
    await connection.close()
    #expect(await eventually { harness.core.status().eventSubscribers == before })
    #expect(await eventually { harness.clock.sleeperCount == 0 }, "the folded notification's timer is cancelled")
  }

  @Test("a watchlist edit is announced to subscribers of that immortal and of the list")
  func watchlistSubscription() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    try await connection.client.subscribeToResource(uri: "lianyaohu://immortals/lu-dongbin")
    try await connection.client.subscribeToResource(uri: "lianyaohu://immortals")
    _ = try await connection.call("set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "MSFT", "active": true])
    #expect(await eventually { connection.notifications.received.count == 2 })
    #expect(Set(connection.notifications.received) == ["lianyaohu://immortals/lu-dongbin", "lianyaohu://immortals"])
  }

  @Test("subscribing to something that does not exist is an error")
  func subscribeUnknown() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    await #expect(throws: MCPError.self) { try await connection.client.subscribeToResource(uri: "lianyaohu://weather") }
    #expect(connection.session.subscribedURIs.isEmpty)
  }

  @Test("debate_brief gives the stance and the watchlist with quotes and day changes")
  func debateBrief() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let (prompts, _) = try await connection.client.listPrompts()
    #expect(prompts.map(\.name) == ["debate_brief"])
    let (_, messages) = try await connection.client.getPrompt(name: "debate_brief", arguments: ["immortal": "lu-dongbin"])
    guard case .text(let text)? = messages.first?.content else {
      Issue.record("no text message")
      return
    }
    #expect(text.contains("吕洞宾 (Lü Dongbin)"))
    #expect(text.contains("Your stance: bull, growth stock-picking."))
    #expect(text.contains("- AAPL 10"))
    #expect(text.contains("+1.50 (+1.52%) · alpha"))
    #expect(text.contains("Set aside: MSFT."))
    await #expect(throws: MCPError.self) {
      _ = try await connection.client.getPrompt(name: "debate_brief", arguments: ["immortal": "nobody"])
    }
  }

  private func json(_ connection: Connection, _ uri: String) async throws -> Value {
    let contents = try await connection.client.readResource(uri: uri)
    #expect(contents.first?.mimeType == "application/json")
    let text = contents.first?.text ?? ""
    return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
  }
}
