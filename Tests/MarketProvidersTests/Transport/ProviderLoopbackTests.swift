import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

/// Every adapter over real HTTP on 127.0.0.1: the upstream answers only on the provider's
/// real method, path and query (anything else is a 404 the test would see), with the
/// recorded fixture, or with a recorded error shape.
@Suite struct ProviderLoopbackTests {
  let clock = SystemClock()

  func provider<Adapter: HTTPQuoteAdapter>(_ adapter: Adapter, _ transport: HTTPTransport) -> HTTPQuoteProvider<Adapter> {
    HTTPQuoteProvider(adapter: adapter, transport: transport, timeout: .generousTimeout, clock: clock)
  }

  /// Answers `response` to a request that matches, a 404 to anything else.
  static func only(
    _ method: String, _ path: String, query: [String: String]? = nil, _ response: FakeUpstream.Response
  ) -> FakeUpstream.Handler {
    { request in
      guard request.method == method, request.path == path, query.map({ $0 == request.query }) ?? true else {
        return .text("no such route: \(request.method) \(request.uri)", status: 404)
      }
      return response
    }
  }

  @Test func yahooChart() async throws {
    let answer = try FakeUpstream.Response.fixture("yfinance/v8_chart_AAPL_range1d_2025-02-19.json")
    let route = Self.only("GET", "/v8/finance/chart/AAPL", query: ["interval": "1d", "range": "1d"], answer)
    try await withLoopback(route) { upstream, transport in
      let adapter = YahooFinanceAdapter(chartOrigin: upstream.baseURL, quoteOrigin: upstream.baseURL)
      let quote = try await provider(adapter, transport).quote(for: Symbol("AAPL"))
      #expect(quote.price == 244.47)
      #expect(quote.source == "yahoo")
    }
  }

  @Test func alphaVantageGlobalQuoteAndItsRateLimitNote() async throws {
    let answer = try FakeUpstream.Response.fixture("alpha_vantage/global_quote_MSFT_2018-10-05.json")
    let route = Self.only(
      "GET", "/query", query: ["function": "GLOBAL_QUOTE", "symbol": "MSFT", "apikey": "av-test-key"], answer)
    try await withLoopback(route) { upstream, transport in
      let adapter = AlphaVantageAdapter(apiKey: Secret("av-test-key"), origin: upstream.baseURL)
      #expect(try await provider(adapter, transport).quote(for: Symbol("MSFT")).price == 112.13)
      let note = try FakeUpstream.Response.fixture("alpha_vantage/error_note_rate_limit_2018.json")
      upstream.respond(with: { _ in note })
      let error = await providerError { try await provider(adapter, transport).quote(for: Symbol("MSFT")) }
      #expect(error == .rateLimited(retryAfter: nil))
    }
  }

  @Test func fmpStableQuote() async throws {
    let answer = try FakeUpstream.Response.fixture("fmp/quote_stable_AAPL_2025-09-23T0308Z.json")
    let route = Self.only("GET", "/stable/quote", query: ["symbol": "AAPL", "apikey": "fmp-test-key"], answer)
    try await withLoopback(route) { upstream, transport in
      let adapter = FinancialModelingPrepAdapter(apiKey: Secret("fmp-test-key"), origin: upstream.baseURL)
      let quote = try await provider(adapter, transport).quote(for: Symbol("AAPL"))
      #expect(quote.price == 256.08)
    }
  }

  @Test func polygonPreviousCloseAndItsPlanLimit() async throws {
    let answer = try FakeUpstream.Response.fixture("synthetic/polygon_prev_close_AAPL_2023-01-09.json")
    let route = Self.only(
      "GET", "/v2/aggs/ticker/AAPL/prev", query: ["adjusted": "true", "apiKey": "pg-test-key"], answer)
    try await withLoopback(route) { upstream, transport in
      let adapter = PolygonAdapter(apiKey: Secret("pg-test-key"), origin: upstream.baseURL)
      #expect(try await provider(adapter, transport).quote(for: Symbol("AAPL")).price == 130.15)
      let plan = try FakeUpstream.Response.fixture("polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json", status: 403)
      upstream.respond(with: Self.only("GET", "/v2/aggs/ticker/I:SPX/prev", plan))
      let error = await providerError { try await provider(adapter, transport).quote(for: Symbol("^GSPC")) }
      #expect(error == .unsupportedSymbol(Symbol("^GSPC")))
    }
  }

  @Test func stooqLightQuote() async throws {
    let answer = try FakeUpstream.Response.fixture("stooq/quote_AAPL.US_2022-12-09.csv", contentType: "text/csv")
    let route = Self.only("GET", "/q/l/", query: ["s": "aapl.us", "f": "sd2t2ohlcv", "h": "", "e": "csv"], answer)
    try await withLoopback(route) { upstream, transport in
      let quote = try await provider(StooqAdapter(origin: upstream.baseURL), transport).quote(for: Symbol("AAPL"))
      #expect(quote.price == 142.16)
    }
  }

  @Test func cboeDelayedQuoteIndexPathAndUnknownSymbol() async throws {
    let answer = try FakeUpstream.Response.fixture("cboe/delayed_quote_AAPL_2023-12-18.json")
    let missing = try FakeUpstream.Response.fixture(
      "cboe/error_403_access_denied.xml", status: 403, contentType: "application/xml")
    try await withLoopback({ request in
      switch request.path {
      case "/api/global/delayed_quotes/quotes/AAPL.json": answer
      case "/api/global/delayed_quotes/quotes/_SPX.json": answer
      default: missing
      }
    }) { upstream, transport in
      let cboe = provider(CboeAdapter(origin: upstream.baseURL), transport)
      let quote = try await cboe.quote(for: Symbol("AAPL"))
      #expect(quote.isDelayed)
      #expect(quote.price == 194.7799)
      #expect(quote.source == "cboe")
      _ = try await cboe.quote(for: Symbol("^GSPC"))
      #expect(upstream.requests.map(\.path).last == "/api/global/delayed_quotes/quotes/_SPX.json")
      let error = await providerError { try await cboe.quote(for: Symbol("ZZZZ")) }
      #expect(error == .unknownSymbol(Symbol("ZZZZ")))
      #expect(upstream.requests.allSatisfy { $0.method == "GET" })
    }
  }

  @Test func tmxGraphQLPost() async throws {
    let answer = try FakeUpstream.Response.fixture("tmx/graphql_getQuoteBySymbol_SHOP_2023-12-27.json")
    try await withLoopback(Self.only("POST", "/graphql", query: [:], answer)) { upstream, transport in
      let adapter = TMXAdapter(origin: upstream.baseURL)
      let quote = try await provider(adapter, transport).quote(for: Symbol("SHOP.TO"))
      #expect(quote.price == 103.48)
      #expect(quote.symbol == Symbol("SHOP.TO"))
      let request = try #require(upstream.requests.first)
      #expect(request.headers["content-type"] == "application/json")
      // The whole JSON body went out.
      let sent = try adapter.makeRequest(for: [Symbol("SHOP.TO")])
      #expect(request.headers["content-length"] == String(sent.body?.count ?? -1))
      let nothing = try FakeUpstream.Response.fixture("tmx/graphql_getQuoteBySymbol_null.json")
      upstream.respond(with: { _ in nothing })
      let error = await providerError { try await provider(adapter, transport).quote(for: Symbol("ZZZZ.TO")) }
      #expect(error == .unknownSymbol(Symbol("ZZZZ.TO")))
    }
  }

  @Test func openBBRelayedFailuresOverTheWire() async throws {
    let relayed = try FakeUpstream.Response.fixture("openbb/error_502_fmp_rate_limit_relayed.json", status: 502)
    try await withLoopback(Self.only("GET", "/api/v1/equity/price/quote", relayed)) { upstream, transport in
      let openBB = provider(OpenBBAdapter(origin: upstream.baseURL), transport)
      let error = await providerError { try await openBB.quote(for: Symbol("AAPL")) }
      #expect(error == .rateLimited(retryAfter: nil))
      #expect(upstream.requests.first?.query == ["symbol": "AAPL", "provider": "fmp"])
    }
  }
}
