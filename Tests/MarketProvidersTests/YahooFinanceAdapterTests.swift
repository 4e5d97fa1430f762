import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct YahooFinanceAdapterTests {
  let chart = YahooFinanceAdapter()
  let quoteAdapter = YahooFinanceAdapter(session: .init(crumb: Secret("CRUMBabc123xyz"), cookie: Secret("A3=d=COOKIEvalue")))

  @Test func chartRequestEncodesTheSymbolInThePath() throws {
    let request = try chart.makeRequest(for: [Symbol("^VIX")])
    #expect(request.origin == "https://query2.finance.yahoo.com")
    #expect(request.target == "/v8/finance/chart/%5EVIX?interval=1d&range=1d")
    #expect(try chart.makeRequest(for: [Symbol("EURUSD=X")]).path == "/v8/finance/chart/EURUSD=X")
    #expect(chart.capabilities.maximumBatchSize == 1)
  }

  @Test func quoteRequestCarriesCrumbAndCookieButNeverShowsThem() throws {
    let request = try quoteAdapter.makeRequest(for: [Symbol("AAPL"), Symbol("BTC-USD")])
    #expect(request.origin == "https://query1.finance.yahoo.com")
    #expect(request.target == "/v7/finance/quote?symbols=AAPL,BTC-USD&crumb=CRUMBabc123xyz")
    #expect(request.header("Cookie") == "A3=d=COOKIEvalue")
    #expect(!request.redactedDescription.contains("CRUMBabc123xyz"))
    #expect(!request.redactedDescription.contains("COOKIEvalue"))
    #expect(request.redactedDescription.contains("crumb=<redacted>"))
    #expect(quoteAdapter.capabilities.maximumBatchSize == 50)
  }

  @Test func parsesRecordedV8ChartAndRemovesFloatNoise() throws {
    let response = try Fixture.response(
      "yfinance/v8_chart_AAPL_range1d_2025-02-19.json", symbols: [Symbol("AAPL")],
      receivedAt: utc("2025-02-19T05:03:55Z"), source: "yahoo")
    let aapl = try quote(try chart.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 244.47)
    #expect(aapl.previousClose == 244.6)
    #expect(aapl.change == -0.13)
    #expect(aapl.changePercent == -0.0531)
    // From the float32 OHLC array: 244.14999389648438 as sent.
    #expect(aapl.open == 244.15)
    #expect(aapl.high == 245.18)
    #expect(aapl.low == 241.84)
    #expect(aapl.volume == 48_158_313)
    #expect(aapl.currency == "USD")
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_739_912_400))
    #expect(aapl.source == "yahoo")
  }

  @Test func parsesRecordedV7Quote() throws {
    let response = try Fixture.response(
      "yfinance/v7_quote_AAPL_2025-12-22.json", symbols: [Symbol("AAPL"), Symbol("ZZZZ")],
      receivedAt: utc("2025-12-22T17:25:20Z"), source: "yahoo")
    let results = try quoteAdapter.parse(response)
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.price == 271.9168)
    #expect(aapl.change == -1.7532)
    #expect(aapl.changePercent == -0.6406)
    #expect(aapl.open == 272.86)
    #expect(aapl.high == 273.88)
    #expect(aapl.low == 271.51)
    #expect(aapl.previousClose == 273.67)
    #expect(aapl.volume == 14_883_316)
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_766_424_318))
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func invalidCrumbIsUnauthorized() throws {
    let response = try Fixture.response(
      "yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json", status: 401, symbols: [Symbol("AAPL")],
      receivedAt: utc("2023-04-19T12:00:00Z"), source: "yahoo")
    #expect(throws: ProviderError.unauthorized) { try quoteAdapter.parse(response) }
    // The finance.error envelope means the same even if a proxy rewrote the status.
    var rewritten = response
    rewritten.status = 200
    #expect(throws: ProviderError.unauthorized) { try quoteAdapter.parse(rewritten) }
  }

  @Test func plainTextTooManyRequestsIsRateLimitedWithRetryAfter() throws {
    let response = try Fixture.response(
      "yfinance/error_429_getcrumb_edge_too_many_requests.txt", status: 429,
      headers: [HTTPHeader(name: "retry-after", value: "30")], symbols: [Symbol("^RUT")],
      receivedAt: utc("2025-02-20T12:00:00Z"), source: "yahoo")
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(30))) { try chart.parse(response) }
    var withoutHeader = response
    withoutHeader.headers = []
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try chart.parse(withoutHeader) }
  }

  @Test func chartNotFoundIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "synthetic/yahoo_v8_chart_404_not_found.json", status: 404, symbols: [Symbol("ZZZZ")],
      receivedAt: utc("2025-02-19T05:03:55Z"), source: "yahoo")
    #expect(failure(try chart.parse(response)[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func cookieBootstrapHTMLIsAStatusErrorOrMalformed() throws {
    let response = try Fixture.response(
      "yfinance/error_404_fc_yahoo_com_cookie_bootstrap.html", status: 404, symbols: [Symbol("AAPL")],
      receivedAt: utc("2025-02-19T05:03:53Z"), source: "yahoo")
    #expect(throws: ProviderError.upstreamStatus(404)) { try chart.parse(response) }
    var asSuccess = response
    asSuccess.status = 200
    let error = #expect(throws: ProviderError.self) { try quoteAdapter.parse(asSuccess) }
    #expect(isMalformed(error))
    expectSafe(error, hiding: "COOKIEvalue")
  }

  @Test func plainTooManyRequestsIsRateLimitedAndEmptyResultsAreUnknown() throws {
    let limited = try Fixture.response(
      "yfinance/error_429_too_many_requests.txt", status: 429, symbols: [Symbol("AAPL"), Symbol("MSFT")],
      receivedAt: utc("2025-02-20T12:00:00Z"), source: "yahoo")
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try quoteAdapter.parse(limited) }
    let empty = try Fixture.response(
      "yfinance/v7_quote_empty_result.json", symbols: [Symbol("ZZZZ"), Symbol("QQQQQ")],
      receivedAt: utc("2025-02-20T12:00:00Z"), source: "yahoo")
    let results = try quoteAdapter.parse(empty)
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
    #expect(failure(results[Symbol("QQQQQ")]) == .unknownSymbol(Symbol("QQQQQ")))
  }

  /// `chart.error` and `finance.error` are read by their words, not only their code.
  @Test func errorEnvelopesAreReadByTheirWords() throws {
    let tooMany = snapshot(
      #"{"chart": {"result": null, "error": {"code": "Too Many Requests", "description": "Rate limited. Try after a while."}}}"#,
      status: 200, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try chart.parse(tooMany) }
    let serverError = snapshot(
      #"{"finance": {"result": null, "error": {"code": "Internal Server Error", "description": "Service temporarily unavailable"}}}"#,
      status: 500, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(500)) { try chart.parse(serverError) }
  }
}
