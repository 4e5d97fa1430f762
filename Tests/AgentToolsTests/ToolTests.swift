import MCP
import MarketCore
import MarketTesting
import Testing

@testable import AgentTools

@Suite("Tools through the SDK's client")
struct ToolTests {
  @Test("tools/list offers every tool with input and output schemas and honest annotations")
  func listing() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let (tools, _) = try await connection.client.listTools()
    #expect(
      tools.map(\.name) == [
        "get_quote", "get_quotes", "get_history", "get_profile", "list_immortals", "get_watchlist", "set_watchlist_symbol",
        "provider_status", "cache_stats",
      ])
    for tool in tools {
      #expect(tool.outputSchema == ToolCatalog.standard.first { $0.name == tool.name }?.outputSchema)
      #expect(tool.inputSchema.objectValue?["type"] == "object", "\(tool.name)")
      #expect(tool.outputSchema?.objectValue?["type"] == "object", "\(tool.name)")
      #expect(tool.annotations.idempotentHint == true, "\(tool.name)")
      #expect(tool.annotations.readOnlyHint == (tool.name != "set_watchlist_symbol"), "\(tool.name)")
    }
  }

  @Test("get_quote answers the quote with its source, age and flags, valid against its schema")
  func getQuote() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let schema = try await outputSchema("get_quote", connection)
    let result = try await connection.call("get_quote", ["symbol": "AAPL"])
    #expect(result.isError != true)
    expectConforms(result.structuredContent, to: schema)
    let quote = result.structured
    #expect(quote["symbol"] == "AAPL")
    #expect(quote["price"]?.number == 101)
    #expect(quote["source"] == "alpha")
    #expect(quote["stale"] == false)
    #expect(quote["simulated"] == false)
    #expect(quote["delayed"] == false)
    #expect(quote["origin"] == "upstream")
    #expect(quote["as_of"] == "2025-11-29T00:00:00Z")
    #expect(quote["age_seconds"]?.number == 0)
    #expect(result.text.hasPrefix("AAPL 101.00 +1.50 (+1.52%) · alpha · as of 2025-11-29T00:00:00Z · 0.0 s old"))

    // The second call is a cache hit: the same value, older, from memory.
    harness.clock.advance(by: .milliseconds(500))
    let again = try await connection.call("get_quote", ["symbol": "AAPL"]).structured
    #expect(again["price"]?.number == 101)
    #expect(again["origin"] == "memory")
    #expect(again["age_seconds"]?.number == 0.5)
    #expect(harness.provider.callCount == 1)
  }

  @Test("a delayed quote says so")
  func delayed() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call("get_quote", ["symbol": "DELAY"])
    #expect(result.structured["delayed"] == true)
    #expect(result.text.hasSuffix("DELAYED"))
  }

  static let failures: [(String, String)] = [
    ("ZZZZ", "unknown_symbol"), ("FAIL", "upstream_failed"), ("AA PL", "invalid_symbol"), ("!!!", "invalid_symbol"),
  ]

  @Test("failures an agent should reason about are error results with the API's classes", arguments: failures)
  func errorResults(symbol: String, errorClass: String) async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call("get_quote", ["symbol": .string(symbol)])
    #expect(result.isError == true)
    #expect(result.errorClass == errorClass)
    #expect(result.text.hasPrefix("\(errorClass): "))
    #expect(result.structured["error"]?.objectValue?["message"]?.stringValue?.isEmpty == false)
    expectConforms(result.structuredContent, to: ErrorFields.resultSchema)
  }

  @Test("with no provider at all the class is no_provider_available")
  func noProvider() async throws {
    let harness = MCPHarness(registerProvider: false)
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call("get_quote", ["symbol": "AAPL"])
    #expect(result.isError == true)
    #expect(result.errorClass == "no_provider_available")
  }

  static let malformed: [(String, [String: Value])] = [
    ("get_quote", [:]), ("get_quote", ["symbol": 5]), ("get_quote", ["symbol": "AAPL", "extra": true]),
    ("get_quote", ["symbol": ""]), ("get_quotes", ["symbols": []]), ("get_quotes", ["symbols": "AAPL"]),
    ("get_watchlist", ["immortal": "nobody"]), ("set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "AAPL"]),
    ("get_history", [:]), ("get_history", ["symbol": "AAPL", "max_bars": 5_001]),
    ("get_history", ["symbol": "AAPL", "max_bars": -1]), ("get_history", ["symbol": "AAPL", "max_bars": 2.5]),
    ("get_history", ["symbol": "AAPL", "range": 5]), ("get_history", ["symbol": "AAPL", "window": "1y"]),
    ("get_profile", [:]), ("get_profile", ["symbol": "AAPL", "extra": true]), ("no_such_tool", [:]),
  ]

  @Test("malformed arguments are JSON-RPC invalid params, never a tool result", arguments: malformed)
  func invalidParams(tool: String, arguments: [String: Value]) async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    do {
      _ = try await connection.call(tool, arguments)
      Issue.record("\(tool) accepted \(arguments)")
    } catch let error as MCPError {
      #expect(error.code == -32602, "\(error)")
    }
  }

  @Test("params that are not the shape tools/call takes are invalid params too")
  func malformedParams() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    enum RawCall: Method {
      static let name = "tools/call"
      typealias Parameters = Value
      typealias Result = CallTool.Result
    }
    for params: Value in [["name": "get_quote", "arguments": "AAPL"], ["name": 7], "x"] {
      do {
        _ = try await connection.client.send(RawCall.request(params)).value
        Issue.record("accepted \(params)")
      } catch let error as MCPError {
        #expect(error.code == -32602, "\(params): \(error)")
      }
    }
  }

  @Test("get_quotes answers every symbol once, in the order asked, in quotes or errors")
  func getQuotes() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let schema = try await outputSchema("get_quotes", connection)
    let result = try await connection.call("get_quotes", ["symbols": ["AAPL", "ZZZZ", "???", "NVDA", "AAPL"]])
    #expect(result.isError != true)
    expectConforms(result.structuredContent, to: schema)
    let quotes = result.structured["quotes"]?.arrayValue ?? []
    let errors = result.structured["errors"]?.arrayValue ?? []
    #expect(quotes.compactMap { $0.objectValue?["symbol"]?.stringValue } == ["AAPL", "NVDA"])
    #expect(errors.compactMap { $0.objectValue?["symbol"]?.stringValue } == ["ZZZZ", "???"])
    #expect(
      errors.compactMap { $0.objectValue?["error"]?.objectValue?["class"]?.stringValue } == ["unknown_symbol", "invalid_symbol"])
    // One provider batch for both known symbols.
    #expect(harness.provider.calls.count == 1)
  }

  @Test("get_quotes takes at most 200 symbols")
  func batchBound() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let many = (0..<201).map { Value.string("S\($0)") }
    do {
      _ = try await connection.call("get_quotes", ["symbols": .array(many)])
      Issue.record("201 symbols accepted")
    } catch let error as MCPError {
      #expect(error.code == -32602)
      #expect(error.localizedDescription.contains("at most 200"))
    }
    let result = try await connection.call("get_quotes", ["symbols": .array(Array(many.prefix(200)))])
    #expect((result.structured["quotes"]?.arrayValue?.count ?? 0) == 200)
  }

  @Test("list_immortals lists the eight with stances and watchlists")
  func listImmortals() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let schema = try await outputSchema("list_immortals", connection)
    let result = try await connection.call("list_immortals")
    expectConforms(result.structuredContent, to: schema)
    let immortals = result.structured["immortals"]?.arrayValue ?? []
    #expect(immortals.count == 8)
    let lu = immortals.first?.objectValue ?? [:]
    #expect(lu["id"] == "lu-dongbin")
    #expect(lu["stance"] == "bull, growth stock-picking")
    #expect(lu["symbols"]?.arrayValue?.count == 3)
    #expect(harness.provider.callCount == 0, "listing asks no provider")
  }

  @Test("get_watchlist answers quotes for the active symbols, as the API does")
  func getWatchlist() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let schema = try await outputSchema("get_watchlist", connection)
    let result = try await connection.call("get_watchlist", ["immortal": "lu-dongbin"])
    expectConforms(result.structuredContent, to: schema)
    let entries = result.structured["symbols"]?.arrayValue?.compactMap(\.objectValue) ?? []
    #expect(entries.compactMap { $0["symbol"]?.stringValue } == ["AAPL", "NVDA", "MSFT"])
    #expect(entries[0]["quote"]?.objectValue?["source"] == "alpha")
    #expect(entries[1]["quote"] != nil)
    #expect(entries[2]["quote"] == nil, "inactive symbols are not fetched")
    #expect(entries[2]["active"] == false)
  }

  @Test("set_watchlist_symbol makes the core's edits and announces them like the API's PATCH")
  func setWatchlistSymbol() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let schema = try await outputSchema("set_watchlist_symbol", connection)
    let events = harness.core.updates()

    let activated = try await connection.call(
      "set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "MSFT", "active": true])
    expectConforms(activated.structuredContent, to: schema)
    #expect(activated.structured["changed"] == true)
    #expect(harness.core.watchlist(.luDongbin).activeSymbols == [Symbol("AAPL"), Symbol("NVDA"), Symbol("MSFT")])

    var iterator = events.makeAsyncIterator()
    let event = await iterator.next()
    guard case .watchlistChanged(let id, let list)? = event?.kind else {
      Issue.record("no watchlistChanged event, got \(String(describing: event))")
      return
    }
    #expect(id == .luDongbin)
    #expect(list.activeSymbols.contains(Symbol("MSFT")))

    let again = try await connection.call(
      "set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "MSFT", "active": true])
    #expect(again.structured["changed"] == false)

    let added = try await connection.call("set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "amd", "active": true])
    #expect(added.structured["changed"] == true)
    #expect(harness.core.watchlist(.luDongbin).symbols.last == Symbol("AMD"))

    let deactivated = try await connection.call(
      "set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "AAPL", "active": false])
    #expect(deactivated.structured["changed"] == true)
    #expect(harness.core.watchlist(.luDongbin).activeSymbols.contains(Symbol("AAPL")) == false)
    #expect(harness.core.watchlist(.luDongbin).symbols.contains(Symbol("AAPL")), "deactivating keeps it on the list")
  }

  @Test("set_watchlist_symbol refusals are error results with the API's classes")
  func setWatchlistRefusals() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let missing = try await connection.call(
      "set_watchlist_symbol", ["immortal": "he-xiangu", "symbol": "AAPL", "active": false])
    #expect(missing.isError == true)
    #expect(missing.errorClass == "not_on_watchlist")

    for index in 0..<Watchlist.maximumEntries {
      _ = try await connection.call("set_watchlist_symbol", ["immortal": "he-xiangu", "symbol": "S\(index)", "active": true])
    }
    let full = try await connection.call("set_watchlist_symbol", ["immortal": "he-xiangu", "symbol": "ONEMORE", "active": true])
    #expect(full.isError == true)
    #expect(full.errorClass == "watchlist_full")
    #expect(harness.core.watchlist(.heXiangu).symbols.count == Watchlist.maximumEntries)
  }

  @Test("a guard that refuses stops set_watchlist_symbol and nothing else")
  func refusedMutation() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect(mutations: .bearerToken { $0 == "s3cret" })
    defer { Task { await connection.close() } }
    let refused = try await connection.call(
      "set_watchlist_symbol", ["immortal": "lu-dongbin", "symbol": "MSFT", "active": true])
    #expect(refused.isError == true)
    #expect(refused.errorClass == "unauthorized")
    #expect(!refused.text.contains("s3cret"))
    #expect(harness.core.watchlist(.luDongbin).activeSymbols.contains(Symbol("MSFT")) == false)
    let read = try await connection.call("get_quote", ["symbol": "AAPL"])
    #expect(read.isError != true)
  }

  @Test("provider_status and cache_stats answer what the API's routes do")
  func statusTools() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    _ = try await connection.call("get_quote", ["symbol": "AAPL"])
    _ = try await connection.call("get_quote", ["symbol": "AAPL"])

    let providers = try await connection.call("provider_status")
    expectConforms(providers.structuredContent, to: try await outputSchema("provider_status", connection))
    let alpha = providers.structured["providers"]?.arrayValue?.first?.objectValue ?? [:]
    #expect(alpha["id"] == "alpha")
    #expect(alpha["up"] == true)
    #expect(alpha["breaker"]?.objectValue?["state"] == "closed")
    #expect(providers.text.hasPrefix("alpha up · breaker closed"))

    let cache = try await connection.call("cache_stats")
    expectConforms(cache.structuredContent, to: try await outputSchema("cache_stats", connection))
    let memory = cache.structured["tiers"]?.arrayValue?.first?.objectValue ?? [:]
    #expect(memory["tier"] == "memory")
    #expect(memory["hits"] == 1)
    #expect(memory["misses"] == 1)
  }

  /// The schema `tools/list` publishes (the listing test checks it is the one offered), read
  /// from the table: decoding the whole listing on every test is slow with the SDK's `Value`.
  private func outputSchema(_ name: String, _ connection: Connection) async throws -> Value? {
    ToolCatalog.standard.first { $0.name == name }?.outputSchema
  }
}
