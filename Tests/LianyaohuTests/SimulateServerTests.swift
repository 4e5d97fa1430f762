import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

@testable import lianyaohu

/// `lianyaohu simulate` started in-process on a free port and read through the real OpenBB
/// adapter and HTTP transport, as the dashboard reads it.
@Suite(.timeLimit(.minutes(1))) struct SimulateServerTests {
  let clock = SystemClock()

  func withServer(
    _ behaviour: SimulatedBehaviour = .perfect, readTimeout: Duration = .generousTimeout,
    clock routeClock: (any MarketClock)? = nil, _ body: (SimulateServer, HTTPTransport) async throws -> Void
  ) async throws {
    let route = SimulatedOpenBB(
      market: SimulatedMarket(seed: 8), behaviour: behaviour, clock: routeClock ?? clock, seed: 8)
    let server = try await SimulateServer.start(host: "127.0.0.1", port: 0, route: route)
    var configuration = HTTPTransport.Configuration()
    configuration.readTimeout = readTimeout
    let transport = HTTPTransport(configuration: configuration)
    do {
      try await body(server, transport)
    } catch {
      try? await transport.shutdown()
      await server.shutdown()
      throw error
    }
    try await transport.shutdown()
    await server.shutdown()
  }

  func provider(
    _ server: SimulateServer, _ transport: HTTPTransport, backend: String = "fmp", timeout: Duration = .generousTimeout
  )
    -> HTTPQuoteProvider<OpenBBAdapter>
  {
    HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: server.origin, backend: backend), transport: transport, timeout: timeout,
      clock: clock)
  }

  /// A raw GET, answered as a snapshot (status, headers, body).
  func get(_ target: String, _ server: SimulateServer, _ transport: HTTPTransport) async throws -> HTTPResponseSnapshot {
    let (path, query) = target.split(separator: "?", maxSplits: 1).map(String.init).pair
    let items = query.split(separator: "&").map { item -> HTTPQueryItem in
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      return HTTPQueryItem(name: parts[0], value: parts.count > 1 ? parts[1] : "")
    }
    let request = HTTPRequestSpec(origin: server.origin, path: path, queryItems: items, symbols: [Symbol("AAPL")])
    return try await transport.perform(request, timeout: .generousTimeout, receivedAt: { Date() }, source: "openbb")
  }

  @Test func servesSimulatedQuotesTheOpenBBAdapterReads() async throws {
    try await withServer { server, transport in
      let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("ZZZZ")]
      let results = try await provider(server, transport).quotes(for: symbols)
      let aapl = try #require(try? results[Symbol("AAPL")]?.get())
      #expect(aapl.isSimulated)
      #expect(aapl.source == "openbb")
      #expect(aapl.price > 0)
      #expect(aapl.previousClose == 232.1)
      // change_percent went out as a fraction and came back as percent.
      let change = try #require(aapl.change)
      let percent = try #require(aapl.changePercent)
      #expect(abs(percent - change / 232.1 * 100) < 0.001)
      #expect(try results[Symbol("MSFT")]?.get().isSimulated == true)
      #expect(results[Symbol("ZZZZ")].flatMap { try? $0.get() } == nil)
    }
  }

  @Test func answersInTheOBBjectShapeAndMarksItSimulated() async throws {
    try await withServer { server, transport in
      let response = try await get("/api/v1/equity/price/quote?symbol=AAPL,ZZZZ&provider=fmp", server, transport)
      #expect(response.status == 200)
      #expect(response.header("Content-Type") == "application/json")
      let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
      #expect(document.keys.sorted() == ["chart", "extra", "id", "provider", "results", "warnings"])
      #expect(document["provider"] as? String == "fmp")
      let extra = try #require(document["extra"] as? [String: Any])
      #expect(extra["simulated"] as? Bool == true)
      #expect((extra["metadata"] as? [String: Any])?["route"] as? String == "/equity/price/quote")
      let rows = try #require(document["results"] as? [[String: Any]])
      #expect(rows.count == 1)
      let row = try #require(rows.first)
      #expect(row["symbol"] as? String == "AAPL")
      #expect(row["simulated"] as? Bool == true)
      for field in ["last_price", "last_timestamp", "open", "high", "low", "volume", "prev_close", "change", "change_percent"] {
        #expect(row[field] != nil, "missing \(field)")
      }
      let warnings = try #require(document["warnings"] as? [[String: Any]])
      #expect((warnings.first?["message"] as? String)?.contains("ZZZZ") == true)
    }
  }

  @Test func yfinanceRowsLackChangeAsInOpenBB() async throws {
    try await withServer { server, transport in
      let btc = try await provider(server, transport, backend: "yfinance").quote(for: Symbol("BTC-USD"))
      #expect(btc.isSimulated)
      #expect(btc.change != nil)  // derived by the adapter from last_price and prev_close
      let response = try await get("/api/v1/equity/price/quote?symbol=AAPL&provider=yfinance", server, transport)
      #expect(!String(decoding: response.body, as: UTF8.self).contains("change_percent"))
    }
  }

  @Test func missingOrInvalidParametersAre422WithAValidationDetail() async throws {
    try await withServer { server, transport in
      let adapter = OpenBBAdapter(origin: server.origin)
      for target in [
        "/api/v1/equity/price/quote?provider=fmp", "/api/v1/equity/price/quote?symbol=AA%20PL!&provider=fmp",
        "/api/v1/equity/price/quote?symbol=&provider=fmp", "/api/v1/equity/price/quote?symbol=AAPL&provider=nope",
      ] {
        let response = try await get(target, server, transport)
        #expect(response.status == 422, "\(target)")
        let document = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let detail = try #require(document?["detail"] as? [[String: Any]], "\(target)")
        #expect(detail.first?["loc"] as? [String] != nil)
        #expect(throws: ProviderError.upstreamStatus(422)) { try adapter.parse(response) }
      }
      let missing = try await get("/api/v1/equity/price/quote?provider=fmp", server, transport)
      #expect(
        String(decoding: missing.body, as: UTF8.self)
          == #"{"detail":[{"type":"missing","loc":["query","symbol"],"msg":"Field required","input":null}]}"#)
    }
  }

  @Test func noDataIs204AndOtherPathsAre404() async throws {
    try await withServer { server, transport in
      let empty = try await get("/api/v1/equity/price/quote?symbol=ZZZZ", server, transport)
      #expect(empty.status == 204)
      #expect(empty.body.isEmpty)
      let results = try OpenBBAdapter(origin: server.origin).parse(empty)
      #expect(results[Symbol("AAPL")].flatMap { try? $0.get() } == nil)
      let elsewhere = try await get("/api/v1/equity/price/nothing?symbol=AAPL", server, transport)
      #expect(elsewhere.status == 404)
      #expect(String(decoding: elsewhere.body, as: UTF8.self) == #"{"detail":"Not Found"}"#)
    }
  }

  @Test func injectedFaultsEndInTheirErrorClasses() async throws {
    let aapl = Symbol("AAPL")
    try await withServer(SimulatedBehaviour(latency: .instant, errorRate: 1)) { server, transport in
      await #expect(throws: ProviderError.upstreamStatus(500)) { try await provider(server, transport).quote(for: aapl) }
    }
    try await withServer(SimulatedBehaviour(latency: .instant, garbageRate: 1)) { server, transport in
      let error = await #expect(throws: ProviderError.self) { try await provider(server, transport).quote(for: aapl) }
      guard case .malformedBody? = error else {
        Issue.record("expected malformedBody, got \(String(describing: error))")
        return
      }
    }
    try await withServer(SimulatedBehaviour(latency: .instant, timeoutRate: 1)) { server, transport in
      await #expect(throws: ProviderError.timeout) {
        try await provider(server, transport, timeout: .milliseconds(150)).quote(for: aapl)
      }
    }
    let alwaysDown = SimulatedBehaviour.OutageSchedule(period: .seconds(60), downtime: .seconds(60))
    try await withServer(SimulatedBehaviour(latency: .instant, outages: [alwaysDown])) { server, transport in
      let error = await #expect(throws: ProviderError.self) { try await provider(server, transport).quote(for: aapl) }
      guard case .transport? = error else {
        Issue.record("expected a transport error, got \(String(describing: error))")
        return
      }
    }
  }

  @Test func latencyFlagsParse() throws {
    let spread = try SimulateFaultFlags.latency("40,250")
    #expect(spread.median == .milliseconds(40))
    #expect(spread.p99 == .milliseconds(250))
    #expect(try SimulateFaultFlags.latency("0") == .instant)
    #expect(throws: SimulateFaultFlags.Invalid.self) { try SimulateFaultFlags.latency("250,40") }
    #expect(throws: SimulateFaultFlags.Invalid.self) { try SimulateFaultFlags.latency("fast") }
    #expect(throws: SimulateFaultFlags.Invalid.self) { try SimulateFaultFlags.latency("1,2,3") }
    let outage = try SimulateFaultFlags.outage("120,30,45")
    #expect(outage == .init(period: .seconds(120), downtime: .seconds(30), phase: .seconds(45)))
    #expect(try SimulateFaultFlags.outage("60,10").phase == .zero)
    #expect(throws: SimulateFaultFlags.Invalid.self) { try SimulateFaultFlags.outage("10,60") }
    #expect(throws: SimulateFaultFlags.Invalid.self) { try SimulateFaultFlags.rate(1.5, flag: "--error-rate") }
  }

  @Test func naiveTimestampsAreUTCWithoutAZone() {
    #expect(NaiveUTCTime.format(Date(timeIntervalSince1970: 1_758_571_201), fractionDigits: 0) == "2025-09-22T20:00:01")
    #expect(NaiveUTCTime.format(Date(timeIntervalSince1970: 951_782_400.25), fractionDigits: 6) == "2000-02-29T00:00:00.250000")
  }
}

extension Array where Element == String {
  /// The first two elements, the second empty when absent.
  fileprivate var pair: (String, String) { (first ?? "", count > 1 ? self[1] : "") }
}
