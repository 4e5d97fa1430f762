import MCP
import MarketCore
import MarketTesting
import Testing

@testable import AgentTools

/// `get_history` and `get_profile` as an agent calls them. The harness's clock stands at
/// Saturday 2025-11-29 00:00 UTC; its history provider has a daily bar every weekday.
@Suite("History and profile tools through the SDK's client")
struct HistoryToolTests {
  @Test("get_history answers the bars, a summary of the window and the API path, valid against its schema")
  func getHistory() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let arguments: [String: Value] = ["symbol": "aapl", "interval": "1d", "range": "1mo"]
    let result = try await connection.call("get_history", arguments)
    #expect(result.isError != true, "\(result.text)")
    expectConforms(result.structuredContent, to: AgentTool.getHistory.outputSchema)
    let answer = result.structured
    let bars = answer["bars"]?.arrayValue?.compactMap(\.objectValue) ?? []
    // Wednesday 2025-10-29 to Friday 2025-11-28: 23 weekdays.
    #expect(bars.count == 23)
    #expect(answer["bar_count"] == 23)
    #expect(answer["truncated"] == false)
    #expect(answer["note"] == Value.null)
    #expect(bars.first?["time"] == "2025-10-29")
    #expect(bars.last?["time"] == "2025-11-28")
    #expect(answer["as_of"] == "2025-11-28")
    #expect(answer["symbol"] == "AAPL")
    #expect(answer["interval"] == "1d")
    #expect(answer["source"] == "bars")
    #expect(answer["sources"] == Value.array(["bars"]))
    #expect(answer["currency"] == "USD")
    #expect(answer["simulated"] == false)
    #expect(answer["stale"] == false)
    #expect(answer["origin"] == "upstream")
    #expect(answer["age_seconds"]?.number == 0)
    #expect(answer["api_path"] == "/v1/history/AAPL?interval=1d&range=1mo")

    let summary = answer["summary"]?.objectValue ?? [:]
    let first = try #require(bars.first?["close"]?.number)
    let last = try #require(bars.last?["close"]?.number)
    #expect(summary["first"]?.objectValue?["time"] == "2025-10-29")
    #expect(summary["last"]?.objectValue?["time"] == "2025-11-28")
    #expect(abs((summary["change"]?.number ?? .nan) - (last - first)) < 1e-9)
    #expect(abs((summary["change_percent"]?.number ?? .nan) - (last - first) / first * 100) < 1e-9)
    #expect(summary["high"]?.number == bars.compactMap { $0["high"]?.number }.max())
    #expect(summary["low"]?.number == bars.compactMap { $0["low"]?.number }.min())
    #expect(result.text.hasPrefix("AAPL 1d · 23 bars 2025-10-29..2025-11-28 · close "), "\(result.text)")
    #expect(result.text.contains("\ntime,open,high,low,close,adj_close,volume\n2025-10-29,"))

    // Asked again: every block from memory, no second upstream call.
    let again = try await connection.call("get_history", arguments)
    #expect(again.structured["origin"] == "memory")
    #expect(again.structured["bars"] == answer["bars"])
    #expect(harness.history.callCount == 1)
  }

  @Test("a window with more bars than max_bars answers the newest ones, a note, and the summary of all")
  func truncated() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call("get_history", ["symbol": "AAPL", "max_bars": 10])
    expectConforms(result.structuredContent, to: AgentTool.getHistory.outputSchema)
    let answer = result.structured
    let bars = answer["bars"]?.arrayValue?.compactMap(\.objectValue) ?? []
    let total = try #require(answer["bar_count"]?.number)
    #expect(bars.count == 10)
    #expect(total > 250, "the default window is a year")
    #expect(answer["truncated"] == true)
    #expect(answer["note"]?.stringValue?.hasPrefix("showing the newest 10 of \(Int(total)) bars") == true)
    #expect(bars.last?["time"] == "2025-11-28")
    #expect(answer["as_of"] == "2025-11-28")
    let summaryFirst = try #require(answer["summary"]?.objectValue?["first"]?.objectValue?["time"]?.stringValue)
    let shownFirst = try #require(bars.first?["time"]?.stringValue)
    #expect(summaryFirst < shownFirst, "the summary covers the whole window, not only the bars shown")
    #expect(answer["api_path"] == "/v1/history/AAPL?interval=1d&range=1y")
    #expect(result.text.contains("showing the newest 10 of"))

    let summaryOnly = try await connection.call("get_history", ["symbol": "AAPL", "max_bars": 0])
    expectConforms(summaryOnly.structuredContent, to: AgentTool.getHistory.outputSchema)
    #expect(summaryOnly.structured["bars"] == Value.array([]))
    #expect(summaryOnly.structured["summary"]?.objectValue?["last"] != nil)
    #expect(!summaryOnly.text.contains("time,open"))
    #expect(summaryOnly.structured["note"]?.stringValue?.hasPrefix("the summary alone") == true)

    let defaulted = try await connection.call("get_history", ["symbol": "AAPL"])
    #expect(defaulted.structured["bars"]?.arrayValue?.count == HistoryFields.defaultBars)
  }

  @Test("explicit dates are whole UTC days, both included; intraday bars are UTC instants")
  func datesAndIntraday() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let dated = try await connection.call(
      "get_history", ["symbol": "AAPL", "from": "2025-11-03", "to": "2025-11-07"])
    expectConforms(dated.structuredContent, to: AgentTool.getHistory.outputSchema)
    let days = dated.structured["bars"]?.arrayValue?.compactMap { $0.objectValue?["time"]?.stringValue }
    #expect(days == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07"])
    #expect(dated.structured["api_path"] == "/v1/history/AAPL?interval=1d&from=2025-11-03&to=2025-11-07")
    #expect(dated.structured["from"] == "2025-11-03T00:00:00Z")
    #expect(dated.structured["to"] == "2025-11-08T00:00:00Z")

    let hourly = try await connection.call("get_history", ["symbol": "^VIX", "interval": "1h", "range": "5d"])
    expectConforms(hourly.structuredContent, to: AgentTool.getHistory.outputSchema)
    let times = hourly.structured["bars"]?.arrayValue?.compactMap { $0.objectValue?["time"]?.stringValue } ?? []
    #expect(!times.isEmpty && times.allSatisfy { $0.count == 20 && $0.hasSuffix(":00:00Z") })
    #expect(hourly.structured["as_of"]?.stringValue == times.last)
    #expect(hourly.structured["api_path"] == "/v1/history/%5EVIX?interval=1h&range=5d")
  }

  /// Requests the API refuses with 400, and the class it refuses them with.
  static let refusals: [([String: Value], String)] = [
    (["symbol": "AAPL", "interval": "7m"], "invalid_interval"),
    (["symbol": "AAPL", "range": "3y"], "invalid_range"),
    (["symbol": "AAPL", "from": "2025-03-01", "to": "2025-01-01"], "invalid_window"),
    (["symbol": "AAPL", "from": "2025-03-01"], "invalid_window"),
    (["symbol": "AAPL", "range": "1y", "from": "2025-01-01", "to": "2025-02-01"], "invalid_window"),
    (["symbol": "AAPL", "from": "2025-02-30", "to": "2025-03-01"], "invalid_date"),
    (["symbol": "AAPL", "interval": "1m", "from": "1975-01-01", "to": "2025-01-01"], "window_too_long"),
  ]

  @Test("a request the API refuses is invalid params naming the API's class", arguments: refusals)
  func refusedRequests(arguments: [String: Value], errorClass: String) async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    do {
      _ = try await connection.call("get_history", arguments)
      Issue.record("accepted \(arguments)")
    } catch let error as MCPError {
      #expect(error.code == -32602, "\(error)")
      #expect(error.localizedDescription.contains("get_history: \(errorClass): "), "\(error.localizedDescription)")
    }
    #expect(harness.history.callCount == 0)
  }

  static let failures: [(String, String, String)] = [
    ("get_history", "ZZZZ", "unknown_symbol"), ("get_history", "FAIL", "upstream_failed"),
    ("get_history", "!!!", "invalid_symbol"), ("get_profile", "ZZZZ", "unknown_symbol"),
    ("get_profile", "AA PL", "invalid_symbol"),
  ]

  @Test("failures an agent should reason about are error results with the API's classes", arguments: failures)
  func errorResults(tool: String, symbol: String, errorClass: String) async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call(tool, ["symbol": .string(symbol)])
    #expect(result.isError == true)
    #expect(result.errorClass == errorClass)
    #expect(result.text.hasPrefix("\(errorClass): "))
    expectConforms(result.structuredContent, to: ErrorFields.resultSchema)
  }

  @Test("with no provider at all both tools answer no_provider_available")
  func noProvider() async throws {
    let harness = MCPHarness(registerProvider: false)
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    for tool in ["get_history", "get_profile"] {
      let result = try await connection.call(tool, ["symbol": "AAPL"])
      #expect(result.isError == true, "\(tool)")
      #expect(result.errorClass == "no_provider_available", "\(tool)")
      expectConforms(result.structuredContent, to: ErrorFields.resultSchema)
    }
  }

  @Test("get_profile answers the profile with its source and age, valid against its schema")
  func getProfile() async throws {
    let harness = MCPHarness()
    let connection = try await harness.connect()
    defer { Task { await connection.close() } }
    let result = try await connection.call("get_profile", ["symbol": "AAPL"])
    #expect(result.isError != true, "\(result.text)")
    expectConforms(result.structuredContent, to: AgentTool.getProfile.outputSchema)
    let profile = result.structured
    #expect(profile["symbol"] == "AAPL")
    #expect(profile["name"] == "AAPL Inc.")
    #expect(profile["sector"] == "Technology")
    #expect(profile["industry"] == Value.null)
    #expect(profile["market_cap"] == Value.null)
    #expect(profile["source"] == "bars")
    #expect(profile["received_at"] == "2025-11-29T00:00:00Z")
    #expect(profile["age_seconds"]?.number == 0)
    #expect(profile["stale"] == false)
    #expect(profile["simulated"] == false)
    #expect(profile["origin"] == "upstream")
    #expect(result.text == "AAPL AAPL Inc. · Technology · bars · 0.0 s old")

    harness.clock.advance(by: .seconds(60))
    let again = try await connection.call("get_profile", ["symbol": "AAPL"])
    #expect(again.structured["origin"] == "memory")
    #expect(again.structured["age_seconds"]?.number == 60)
    #expect(harness.history.profileCalls.count == 1)
  }

  @Test("a profile's text names what is known and the description follows")
  func profileText() {
    let profile = Profile(
      symbol: Symbol("NVDA"), name: "NVIDIA Corporation", exchange: "NASDAQ", currency: "USD", sector: "Technology",
      industry: "Semiconductors", marketCap: 4.32e12, description: "Makes chips.", source: "sim-alpha",
      receivedAt: .now, isSimulated: true)
    let served = Served(profile, isStale: true, age: .seconds(2), origin: .memory)
    #expect(
      ProfileFields.text(served)
        == "NVDA NVIDIA Corporation · Technology, Semiconductors · NASDAQ · USD · market cap 4.32 T · sim-alpha · 2.0 s old"
        + " · STALE SIMULATED\nMakes chips.")
    expectConforms(ProfileFields.value(served), to: ProfileFields.schema)
  }
}
