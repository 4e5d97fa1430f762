import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

@testable import lianyaohu

/// `lianyaohu simulate`'s historical and profile routes, read through the real OpenBB adapter
/// and HTTP transport: the same bars and companies the in-process simulated provider serves.
/// The route and the provider share a manual clock, so nothing depends on the wall clock.
@Suite(.timeLimit(.minutes(1))) struct SimulateServerHistoryTests {
  /// A Wednesday afternoon, New York time; the simulated market's clock began then.
  let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: 1_741_186_800))  // 2025-03-05T15:00:00Z
  let harness = SimulateServerTests()

  func withServer(_ body: (SimulateServer, HTTPTransport) async throws -> Void) async throws {
    try await harness.withServer(clock: clock, body)
  }

  func openBB(_ server: SimulateServer, _ transport: HTTPTransport, backend: String = "fmp") -> HTTPQuoteProvider<OpenBBAdapter> {
    HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: server.origin, backend: backend), transport: transport, timeout: .generousTimeout,
      clock: clock)
  }

  /// The in-process provider over the same seeded market and clock.
  var simulated: SimulatedProvider {
    SimulatedProvider(id: "simulated", market: SimulatedMarket(seed: 8), clock: clock, behaviour: .perfect)
  }

  func epoch(_ day: String) -> Int64 {
    Int64((MarketTime.date(localDate: Substring(day), time: nil, in: MarketTime.utc) ?? .distantPast).timeIntervalSince1970)
  }

  @Test func theAdapterReadsTheSameDailyBarsTheSimulatedProviderServes() async throws {
    try await withServer { server, transport in
      let (from, to) = (epoch("2025-01-01"), epoch("2025-02-01"))
      let answer = try await openBB(server, transport).history(for: Symbol("AAPL"), interval: .oneDay, from: from, to: to)
      let expected = try await simulated.history(for: Symbol("AAPL"), interval: .oneDay, from: from, to: to)
      #expect(answer.isSimulated)
      #expect(answer.bars.count == 23)  // January 2025's weekdays
      #expect(answer.bars == expected.bars)
      #expect(answer.bars.allSatisfy { $0.problem == nil })
      #expect(answer.bars.first?.start == epoch("2025-01-01"))
    }
  }

  @Test func intradayWeeklyAndAroundTheClockBarsToo() async throws {
    try await withServer { server, transport in
      let tuesday = (epoch("2025-03-04"), epoch("2025-03-05"))
      let hours = try await openBB(server, transport).history(
        for: Symbol("AAPL"), interval: .oneHour, from: tuesday.0, to: tuesday.1)
      #expect(hours.bars.count == 7)
      #expect(hours.bars.first?.start == tuesday.0 + 52_200)  // 09:30 New York (standard time)
      let expectedHours = try await simulated.history(
        for: Symbol("AAPL"), interval: .oneHour, from: tuesday.0, to: tuesday.1)
      #expect(hours.bars == expectedHours.bars)
      // Crypto trades through midnight, which OpenBB writes as a bare date. (Asked through the
      // yfinance backend, as the quote tests do: the fmp one spells the pair `BTCUSD`, a
      // listing the simulated market does not have.)
      let coins = try await openBB(server, transport, backend: "yfinance").history(
        for: Symbol("BTC-USD"), interval: .oneHour, from: tuesday.0, to: tuesday.1)
      #expect(coins.bars.count == 24)
      #expect(coins.bars.first?.start == tuesday.0)
      let weeks = try await openBB(server, transport, backend: "yfinance").history(
        for: Symbol("MSFT"), interval: .oneWeek, from: epoch("2025-01-01"), to: epoch("2025-03-01"))
      let expectedWeeks = try await simulated.history(
        for: Symbol("MSFT"), interval: .oneWeek, from: epoch("2025-01-01"), to: epoch("2025-03-01"))
      #expect(weeks.bars.map(\.start) == expectedWeeks.bars.map(\.start))
      #expect(weeks.bars.first?.start == epoch("2025-01-06"))  // the first Monday in the window
    }
  }

  @Test func historicalAnswersInTheOBBjectShape() async throws {
    try await withServer { server, transport in
      let response = try await harness.get(
        "/api/v1/equity/price/historical?symbol=AAPL&start_date=2025-03-03&end_date=2025-03-04&interval=1h&provider=fmp",
        server, transport)
      #expect(response.status == 200)
      let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
      #expect(document.keys.sorted() == ["chart", "extra", "id", "provider", "results", "warnings"])
      let extra = try #require(document["extra"] as? [String: Any])
      #expect(extra["simulated"] as? Bool == true)
      #expect((extra["metadata"] as? [String: Any])?["route"] as? String == "/equity/price/historical")
      let rows = try #require(document["results"] as? [[String: Any]])
      #expect(rows.count == 14)
      #expect(rows.first?["date"] as? String == "2025-03-03T14:30:00+00:00")
      for field in ["open", "high", "low", "close", "volume", "simulated"] { #expect(rows.first?[field] != nil, "\(field)") }
      let daily = try await harness.get(
        "/api/v1/equity/price/historical?symbol=AAPL&start_date=2025-03-03&end_date=2025-03-04", server, transport)
      let days = try #require(
        (try JSONSerialization.jsonObject(with: Data(daily.body)) as? [String: Any])?["results"] as? [[String: Any]])
      #expect(days.map { $0["date"] as? String } == ["2025-03-03", "2025-03-04"])
    }
  }

  @Test func nothingThereIs204AndBadParametersAre422() async throws {
    try await withServer { server, transport in
      for target in [
        "/api/v1/equity/price/historical?symbol=ZZZZ&start_date=2025-01-01&end_date=2025-01-31",
        "/api/v1/equity/price/historical?symbol=AAPL&start_date=2025-03-08&end_date=2025-03-09",
        "/api/v1/equity/profile?symbol=ZZZZ",
      ] {
        let response = try await harness.get(target, server, transport)
        #expect(response.status == 204, "\(target)")
        #expect(response.body.isEmpty)
      }
      for target in [
        "/api/v1/equity/price/historical?start_date=2025-01-01", "/api/v1/equity/price/historical?symbol=AAPL&interval=2h",
        "/api/v1/equity/price/historical?symbol=AAPL&start_date=2025-13-01", "/api/v1/equity/price/historical?symbol=AAPL,MSFT",
        "/api/v1/equity/price/historical?symbol=AAPL&provider=nope", "/api/v1/equity/profile?provider=fmp",
      ] {
        let response = try await harness.get(target, server, transport)
        #expect(response.status == 422, "\(target)")
        let detail = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["detail"]
        #expect((detail as? [[String: Any]])?.first?["loc"] != nil, "\(target)")
      }
      let backwards = try await harness.get(
        "/api/v1/equity/price/historical?symbol=AAPL&start_date=2025-02-01&end_date=2025-01-01", server, transport)
      #expect(backwards.status == 400)
      // Through the adapter, an empty window is no bars and an unknown symbol is too.
      let empty = try await openBB(server, transport).history(
        for: Symbol("ZZZZ"), interval: .oneDay, from: epoch("2025-01-01"), to: epoch("2025-02-01"))
      #expect(empty.bars.isEmpty)
    }
  }

  @Test func profilesAreTheSimulatedCompanies() async throws {
    try await withServer { server, transport in
      let results = try await openBB(server, transport).profiles(for: [Symbol("AAPL"), Symbol("0700.HK"), Symbol("ZZZZ")])
      let apple = try #require(try results[Symbol("AAPL")]?.get())
      let expected = try #require(try await simulated.profiles(for: [Symbol("AAPL")])[Symbol("AAPL")]?.get())
      #expect(apple.isSimulated)
      #expect(apple.source == "openbb")
      #expect(apple.name == "Apple Inc." && apple.name == expected.name)
      #expect(apple.sector == expected.sector && apple.industry == expected.industry)
      #expect(apple.sharesOutstanding == expected.sharesOutstanding)
      #expect(abs((apple.marketCap ?? 0) - (expected.marketCap ?? 0)) <= 1)
      #expect(apple.currency == "USD" && apple.country == "US" && apple.exchange == "NASDAQ")
      #expect(try results[Symbol("0700.HK")]?.get().currency == "HKD")
      #expect(results[Symbol("ZZZZ")].flatMap { try? $0.get() } == nil)
      let raw = try await harness.get("/api/v1/equity/profile?symbol=AAPL,ZZZZ&provider=fmp", server, transport)
      let document = try #require(try JSONSerialization.jsonObject(with: Data(raw.body)) as? [String: Any])
      let row = try #require((document["results"] as? [[String: Any]])?.first)
      for field in [
        "symbol", "name", "stock_exchange", "sector", "industry_category", "hq_country", "long_description", "market_cap",
        "simulated",
      ] {
        #expect(row[field] != nil, "missing \(field)")
      }
      #expect((document["warnings"] as? [[String: Any]])?.first?["message"] as? String == "Symbol Error: No data found for ZZZZ")
    }
  }
}
