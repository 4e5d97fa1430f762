import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Synchronization
import Testing

/// Every adapter's history and profile calls over real HTTP on 127.0.0.1, through the same
/// `HTTPQuoteProvider` the application builds: the upstream answers only on the provider's
/// real method, path and query, with the recorded or built fixture.
@Suite struct HistoryLoopbackTests {
  /// A fixed wall clock: which Alpha Vantage series size or Yahoo window is asked depends on
  /// "now", and tests never read the real one.
  let clock = ManualClock(wallOrigin: utc("2023-01-11T00:00:00Z"))

  func provider<Adapter: HTTPQuoteAdapter>(_ adapter: Adapter, _ transport: HTTPTransport) -> HTTPQuoteProvider<Adapter> {
    HTTPQuoteProvider(adapter: adapter, transport: transport, timeout: .generousTimeout, clock: clock)
  }

  static func only(_ path: String, query: [String: String], _ response: FakeUpstream.Response) -> FakeUpstream.Handler {
    ProviderLoopbackTests.only("GET", path, query: query, response)
  }

  let january = (from: day("2023-01-01"), to: day("2023-02-01"))

  @Test func theBuiltProviderIsAHistoryAndProfileProviderWhenItsAdapterIs() async throws {
    let transport = HTTPTransport()
    let built: [any QuoteProvider] = [
      provider(YahooFinanceAdapter(), transport), provider(StooqAdapter(), transport),
      provider(FinnhubAdapter(token: Secret("t")), transport), provider(TMXAdapter(), transport),
    ]
    #expect(built.map { $0 is any HistoryProvider } == [true, true, true, false])
    #expect(built.map { $0 is any ProfileProvider } == [true, false, true, false])
    // Yahoo has no profiles without a session, Finnhub no bars on its plan: the router never asks.
    #expect((built[0] as? any ProfileProvider)?.servesProfile(of: Symbol("AAPL")) == false)
    #expect((built[2] as? any HistoryProvider)?.historyIntervals.isEmpty == true)
    try await transport.shutdown()
  }

  @Test func yahooChartAndQuoteSummary() async throws {
    let chart = try FakeUpstream.Response.fixture("yfinance/v8_chart_AAPL_1d_2023-01-03_to_2023-01-10.json")
    let summary = try FakeUpstream.Response.fixture("yfinance/v10_quoteSummary_AAPL_2025-12-23.json")
    try await withLoopback({ request in
      switch request.path {
      case "/v8/finance/chart/AAPL"
      where request.query == [
        "period1": String(day("2022-12-31")), "period2": String(day("2023-02-02")), "interval": "1d", "includePrePost": "false",
      ]:
        return chart
      case "/v10/finance/quoteSummary/AAPL" where request.query["crumb"] == "CRUMBabc" && request.headers["cookie"] == "A3=x":
        return summary
      default:
        return .text("no such route: \(request.uri)", status: 404)
      }
    }) { upstream, transport in
      let adapter = YahooFinanceAdapter(
        session: .init(crumb: Secret("CRUMBabc"), cookie: Secret("A3=x")), chartOrigin: upstream.baseURL,
        quoteOrigin: upstream.baseURL)
      let yahoo = provider(adapter, transport)
      let answer = try await yahoo.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.count == 5)
      #expect(answer.bars.first?.start == day("2023-01-03"))
      let profiles = try await yahoo.profiles(for: [Symbol("AAPL")])
      #expect(try profiles[Symbol("AAPL")]?.get().sector == "Technology")
    }
  }

  @Test func yahooMinuteWindowPastItsReachIsRefusedWithoutACall() async throws {
    try await withLoopback({ _ in .text("never", status: 500) }) { upstream, transport in
      let yahoo = provider(YahooFinanceAdapter(chartOrigin: upstream.baseURL), transport)
      let error = await providerError {
        try await yahoo.history(for: Symbol("AAPL"), interval: .oneMinute, from: day("2022-11-01"), to: day("2022-11-02"))
      }
      #expect(error == .unsupportedSymbol(Symbol("AAPL")))
      #expect(upstream.requests.isEmpty)
    }
  }

  @Test func openBBHistoricalAndProfile() async throws {
    let bars = try FakeUpstream.Response.fixture("openbb/historical_AAPL_fmp_1d_2023-01.json")
    let profiles = try FakeUpstream.Response.fixture("openbb/profile_AAPL_ZZZZ_fmp.json")
    try await withLoopback({ request in
      switch (request.path, request.query) {
      case (
        "/api/v1/equity/price/historical",
        ["symbol": "AAPL", "start_date": "2023-01-01", "end_date": "2023-01-31", "interval": "1d", "provider": "fmp"]
      ):
        return bars
      case ("/api/v1/equity/profile", ["symbol": "AAPL,ZZZZ", "provider": "fmp"]): return profiles
      default: return .text("no such route: \(request.uri)", status: 404)
      }
    }) { upstream, transport in
      let openBB = provider(OpenBBAdapter(origin: upstream.baseURL), transport)
      let answer = try await openBB.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.count == 6)
      let results = try await openBB.profiles(for: [Symbol("AAPL"), Symbol("ZZZZ")])
      #expect(try results[Symbol("AAPL")]?.get().name == "Apple Inc.")
      #expect(results[Symbol("ZZZZ")].flatMap { try? $0.get() } == nil)
      #expect(upstream.requests.count == 2)
    }
  }

  @Test func stooqDownloadWithItsKey() async throws {
    let csv = try FakeUpstream.Response.fixture(
      "stooq/history_daily_AAPL.US_2023-01-03_to_2023-01-10.csv", contentType: "text/csv")
    let route = Self.only(
      "/q/d/l/", query: ["s": "aapl.us", "d1": "20230101", "d2": "20230131", "i": "d", "apikey": "sq-key"], csv)
    try await withLoopback(route) { upstream, transport in
      let stooq = provider(StooqAdapter(apiKey: Secret("sq-key"), origin: upstream.baseURL), transport)
      let answer = try await stooq.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.map(\.close) == [125.07, 126.36, 125.02, 129.62, 130.15, 130.73])
    }
  }

  @Test func alphaVantageDailyAndOverview() async throws {
    let daily = try FakeUpstream.Response.fixture("alpha_vantage/time_series_daily_AAPL_compact_2023-01-10.json")
    let overview = try FakeUpstream.Response.fixture("alpha_vantage/overview_IBM_2020-06-30.json")
    try await withLoopback({ request in
      switch request.query {
      case ["function": "TIME_SERIES_DAILY", "symbol": "AAPL", "outputsize": "compact", "apikey": "av-key"]: daily
      case ["function": "OVERVIEW", "symbol": "IBM", "apikey": "av-key"]: overview
      default: .text("no such route: \(request.uri)", status: 404)
      }
    }) { upstream, transport in
      let alpha = provider(AlphaVantageAdapter(apiKey: Secret("av-key"), origin: upstream.baseURL), transport)
      let answer = try await alpha.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.count == 6)
      let profiles = try await alpha.profiles(for: [Symbol("IBM")])
      #expect(try profiles[Symbol("IBM")]?.get().sharesOutstanding == 890_579_008)
      #expect(upstream.requests.allSatisfy { $0.path == "/query" })
    }
  }

  @Test func fmpEndOfDayAndProfile() async throws {
    let eod = try FakeUpstream.Response.fixture("fmp/historical_eod_stable_AAPL_2023-01-03_to_2023-01-10.json")
    let profile = try FakeUpstream.Response.fixture("fmp/profile_stable_AAPL_2025-09-23.json")
    try await withLoopback({ request in
      switch (request.path, request.query) {
      case (
        "/stable/historical-price-eod/full", ["symbol": "AAPL", "from": "2023-01-01", "to": "2023-01-31", "apikey": "fmp-key"]
      ):
        return eod
      case ("/stable/profile", ["symbol": "AAPL", "apikey": "fmp-key"]): return profile
      default: return .text("no such route: \(request.uri)", status: 404)
      }
    }) { upstream, transport in
      let fmp = provider(FinancialModelingPrepAdapter(apiKey: Secret("fmp-key"), origin: upstream.baseURL), transport)
      let answer = try await fmp.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.first?.start == day("2023-01-03"))
      #expect(answer.bars.last?.start == day("2023-01-10"))
      #expect(try await fmp.profiles(for: [Symbol("AAPL")])[Symbol("AAPL")]?.get().marketCap == 3_800_327_071_200)
    }
  }

  @Test func polygonAggregatesAndTickerDetails() async throws {
    let aggs = try FakeUpstream.Response.fixture("polygon/aggs_AAPL_1_day_2023-01-01_2023-01-10.json")
    let details = try FakeUpstream.Response.fixture("polygon/ticker_details_AAPL.json")
    let plan = try FakeUpstream.Response.fixture("polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json", status: 403)
    try await withLoopback({ request in
      switch (request.path, request.query) {
      case (
        "/v2/aggs/ticker/AAPL/range/1/day/2023-01-01/2023-01-31",
        ["adjusted": "true", "sort": "asc", "limit": "50000", "apiKey": "pg-key"]
      ):
        return aggs
      case ("/v3/reference/tickers/AAPL", ["apiKey": "pg-key"]): return details
      default: return plan
      }
    }) { upstream, transport in
      let polygon = provider(PolygonAdapter(apiKey: Secret("pg-key"), origin: upstream.baseURL), transport)
      let answer = try await polygon.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.count == 6)
      #expect(try await polygon.profiles(for: [Symbol("AAPL")])[Symbol("AAPL")]?.get().exchange == "XNAS")
      let error = await providerError {
        try await polygon.history(for: Symbol("^VIX"), interval: .oneDay, from: january.from, to: january.to)
      }
      #expect(error == .unsupportedSymbol(Symbol("^VIX")))
    }
  }

  @Test func finnhubProfile2() async throws {
    let answer = try FakeUpstream.Response.fixture("finnhub/profile2_AAPL.json")
    try await withLoopback({ request in
      guard request.path == "/api/v1/stock/profile2", request.query == ["symbol": "AAPL"],
        request.headers["x-finnhub-token"] == "fh-token"
      else { return .text("no such route: \(request.uri)", status: 404) }
      return answer
    }) { upstream, transport in
      let finnhub = provider(FinnhubAdapter(token: Secret("fh-token"), origin: upstream.baseURL), transport)
      let profiles = try await finnhub.profiles(for: [Symbol("AAPL"), Symbol("VOD.L")])
      #expect(try profiles[Symbol("AAPL")]?.get().name == "Apple Inc")
      // A listing the free plan lacks is refused without a call.
      #expect(profiles[Symbol("VOD.L")].flatMap { try? $0.get() } == nil)
      #expect(upstream.requests.count == 1)
      let error = await providerError {
        try await finnhub.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      }
      #expect(error == .unsupportedSymbol(Symbol("AAPL")))
    }
  }

  @Test func cboeChartHistory() async throws {
    let chart = try FakeUpstream.Response.fixture("cboe/charts_historical_AAPL.json")
    let route = Self.only("/api/global/delayed_quotes/charts/historical/AAPL.json", query: [:], chart)
    try await withLoopback(route) { upstream, transport in
      let cboe = provider(CboeAdapter(origin: upstream.baseURL), transport)
      let answer = try await cboe.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
      #expect(answer.bars.count == 6)
    }
  }

  // MARK: Keys

  /// `+`, `/` and `=` make the query form differ from the raw one, so both must be hidden.
  static let key = "hk+S3CRET/key=5e1f"

  /// Failures an upstream might answer any history or profile call with, each echoing
  /// whatever credential it was sent.
  enum Failure: CaseIterable {
    case unauthorized, rateLimited, serverError, htmlPage, garbageJSON, truncated, oversized
  }

  static func echo(_ request: FakeUpstream.Request) -> String {
    let sent = [
      request.query["apikey"], request.query["apiKey"], request.query["crumb"], request.headers["x-finnhub-token"],
      request.headers["authorization"], request.headers["cookie"],
    ]
    let raw = sent.compactMap { $0 }.joined(separator: " ")
    return "credential \(raw) in \(request.uri)"
  }

  static func answer(_ failure: Failure, _ request: FakeUpstream.Request) -> FakeUpstream.Response {
    let echo = Self.echo(request)
    switch failure {
    case .unauthorized:
      return .json(#"{"Error Message": "the parameter apikey is invalid: \#(echo)", "error": "\#(echo)"}"#, status: 401)
    case .rateLimited:
      var response = FakeUpstream.Response.text("API limit reached for \(echo)", status: 429)
      response.headers.append(("Retry-After", "5"))
      return response
    case .serverError: return .text("internal error handling \(echo)", status: 500)
    case .htmlPage: return .text("<html><body>\(echo)</body></html>", contentType: "text/html")
    case .garbageJSON: return .json(#"{"results": "\#(echo)", "data": "\#(echo)", "chart": "\#(echo)"}"#)
    case .truncated: return .text(echo + String(repeating: " ", count: 200), faults: [.truncateBody(bytes: 40)])
    case .oversized: return .text(echo, faults: [.oversized(bytes: 9 << 20)])
    }
  }

  @Test func keysAppearInNoHistoryOrProfileError() async throws {
    let failure = Mutex(Failure.unauthorized)
    try await withLoopback({ request in Self.answer(failure.withLock { $0 }, request) }) { upstream, transport in
      let origin = upstream.baseURL
      let secret = Secret(Self.key)
      let bars: [any HistoryProvider] = [
        provider(AlphaVantageAdapter(apiKey: secret, origin: origin), transport),
        provider(FinancialModelingPrepAdapter(apiKey: secret, origin: origin), transport),
        provider(PolygonAdapter(apiKey: secret, origin: origin), transport),
        provider(StooqAdapter(apiKey: secret, origin: origin), transport),
        provider(OpenBBAdapter(origin: origin, credentials: .init(username: "desk", password: secret)), transport),
      ]
      let profiles: [any ProfileProvider] = [
        provider(AlphaVantageAdapter(apiKey: secret, origin: origin), transport),
        provider(FinancialModelingPrepAdapter(apiKey: secret, origin: origin), transport),
        provider(PolygonAdapter(apiKey: secret, origin: origin), transport),
        provider(FinnhubAdapter(token: secret, origin: origin), transport),
        provider(OpenBBAdapter(origin: origin, credentials: .init(username: "desk", password: secret)), transport),
        provider(
          YahooFinanceAdapter(session: .init(crumb: secret, cookie: secret), chartOrigin: origin, quoteOrigin: origin),
          transport),
      ]
      var texts: [String] = []
      func keep(_ error: any Error) { texts += [String(describing: error), String(reflecting: error)] }
      for current in Failure.allCases {
        failure.withLock { $0 = current }
        for source in bars {
          do {
            let answer = try await source.history(for: Symbol("AAPL"), interval: .oneDay, from: january.from, to: january.to)
            Issue.record("\(source.id) answered \(answer.bars.count) bars to \(current)")
          } catch {
            keep(error)
          }
        }
        for source in profiles {
          do {
            for result in try await source.profiles(for: [Symbol("AAPL")]).values {
              if case .failure(let error) = result { keep(error) } else { Issue.record("\(source.id) profiled \(current)") }
            }
          } catch {
            keep(error)
          }
        }
      }
      // Not vacuous: the key reached the upstream every way it is sent, and failures came back.
      #expect(upstream.requests.contains { $0.query["apikey"] == Self.key })
      #expect(upstream.requests.contains { $0.query["apiKey"] == Self.key })
      #expect(upstream.requests.contains { $0.headers["x-finnhub-token"] == Self.key })
      #expect(texts.contains { $0.contains("rate limited") } && texts.contains { $0.contains("malformed body") })
      #expect(texts.contains { $0.contains("transport error") })
      let basic = Data("desk:\(Self.key)".utf8).base64EncodedString()
      let forms = [Self.key, KeyLeakTests.queryEncoded(Self.key), KeyLeakTests.hex(Self.key), basic]
      for text in texts {
        for form in forms { #expect(!text.contains(form), "an error shows the key: \(text)") }
      }
    }
  }
}
