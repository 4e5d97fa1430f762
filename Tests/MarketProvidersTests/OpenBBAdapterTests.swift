import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct OpenBBAdapterTests {
  let adapter = OpenBBAdapter(
    origin: "http://127.0.0.1:6900", backend: "fmp",
    credentials: .init(username: "openbb", password: Secret("hunter2-openbb-pw")))
  let received = utc("2026-11-29T00:55:23Z")

  @Test func buildsBatchedQuoteRequestWithBasicAuth() throws {
    let request = try adapter.makeRequest(for: [Symbol("AAPL"), Symbol("MSFT")])
    #expect(request.method == .get)
    #expect(request.path == "/api/v1/equity/price/quote")
    #expect(request.target == "/api/v1/equity/price/quote?symbol=AAPL,MSFT&provider=fmp")
    #expect(request.url == "http://127.0.0.1:6900/api/v1/equity/price/quote?symbol=AAPL,MSFT&provider=fmp")
    let basic = "Basic " + Data("openbb:hunter2-openbb-pw".utf8).base64EncodedString()
    #expect(request.header("authorization") == basic)
    #expect(request.symbols == [Symbol("AAPL"), Symbol("MSFT")])
    #expect(!request.redactedDescription.contains("hunter2"))
    #expect(!request.redactedDescription.contains(Data("openbb:hunter2-openbb-pw".utf8).base64EncodedString()))
    #expect(request.redactedDescription.contains("Authorization: <redacted>"))
  }

  @Test func withoutCredentialsSendsNoAuthorization() throws {
    let request = try OpenBBAdapter().makeRequest(for: [Symbol("AAPL")])
    #expect(request.header("Authorization") == nil)
    #expect(request.origin == "http://127.0.0.1:6900")
  }

  @Test func parsesRecordedFMPBackedQuoteAndConvertsFractionToPercent() throws {
    let response = try Fixture.response(
      "openbb/quote_AAPL_fmp.json", symbols: [Symbol("AAPL")], receivedAt: received, source: "openbb")
    let aapl = try quote(try adapter.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 256.08)
    #expect(aapl.change == 10.58)
    // 0.0430957 as sent: a fraction. Quote holds percent.
    #expect(aapl.changePercent == 4.3096)
    #expect(aapl.open == 248.3)
    #expect(aapl.high == 256.63)
    #expect(aapl.low == 248.12)
    #expect(aapl.previousClose == 245.5)
    #expect(aapl.volume == 101_865_199)
    // The naive "2025-09-22T20:00:01" is UTC: the same instant as FMP's own timestamp 1758571201.
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_758_571_201))
    #expect(aapl.receivedAt == received)
    #expect(aapl.source == "openbb")
    #expect(!aapl.isSimulated)
  }

  @Test func yfinanceBackedRowsGetChangeDerivedAndMissingSymbolsAreUnknown() throws {
    let yfinance = OpenBBAdapter(backend: "yfinance")
    let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("ZZZZ")]
    let request = try yfinance.makeRequest(for: symbols)
    #expect(request.target == "/api/v1/equity/price/quote?symbol=AAPL,MSFT,ZZZZ&provider=yfinance")
    let response = try Fixture.response(
      "synthetic/openbb_quote_yfinance_AAPL_MSFT.json", symbols: symbols, receivedAt: utc("2025-12-22T17:26:03Z"),
      source: "openbb")
    let results = try yfinance.parse(response)
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.price == 271.9168)
    #expect(aapl.previousClose == 273.67)
    #expect(aapl.change == -1.7532)
    // Agrees with Yahoo's own regularMarketChangePercent (-0.64062715) for the same moment.
    #expect(aapl.changePercent == -0.6406)
    #expect(aapl.currency == "USD")
    // No last_timestamp from yfinance: as-of falls back to receipt.
    #expect(aapl.asOf == utc("2025-12-22T17:26:03Z"))
    let msft = try quote(results[Symbol("MSFT")])
    #expect(msft.price == 484.295)  // float32 noise 484.2950134277344 removed
    #expect(msft.change == -1.625)
    #expect(msft.changePercent == -0.3344)
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func validationErrorListIs422() throws {
    let response = try Fixture.response(
      "openbb/quote_missing_symbol.json", status: 422, symbols: [Symbol("AAPL")], receivedAt: received,
      source: "openbb")
    #expect(throws: ProviderError.upstreamStatus(422)) { try adapter.parse(response) }
  }

  @Test func detailErrorsMapByStatusAndMessage() throws {
    let cases: [(String, Int, ProviderError)] = [
      ("synthetic/openbb_401_incorrect_credentials.json", 401, .unauthorized),
      ("synthetic/openbb_400_backend_unauthorized.json", 400, .unauthorized),
      ("synthetic/openbb_500_unexpected_error.json", 500, .upstreamStatus(500)),
    ]
    for (path, status, expected) in cases {
      let response = try Fixture.response(
        path, status: status, symbols: [Symbol("AAPL")], receivedAt: received, source: "openbb")
      #expect(throws: expected, "\(path)") { try adapter.parse(response) }
    }
    let plain400 = snapshot(#"{"detail": "Invalid provider choice"}"#, status: 400, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(400)) { try adapter.parse(plain400) }
  }

  @Test func noContentMeansEveryRequestedSymbolIsUnknown() throws {
    let symbols = [Symbol("AAPL"), Symbol("ZZZZ")]
    let response = try Fixture.response(
      "synthetic/openbb_204_no_content.txt", status: 204, symbols: symbols, receivedAt: received, source: "openbb")
    #expect(response.body.isEmpty)
    let results = try adapter.parse(response)
    #expect(results.count == 2)
    #expect(failure(results[Symbol("AAPL")]) == .unknownSymbol(Symbol("AAPL")))
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func nonEnvelopeBodyIsMalformed() {
    let response = snapshot(#"{"id": "x", "provider": "fmp"}"#, symbols: [Symbol("AAPL")])
    let error = #expect(throws: ProviderError.self) { try adapter.parse(response) }
    #expect(isMalformed(error))
  }

  @Test func resultsMarkedSimulatedYieldSimulatedQuotesAndOnlyThose() throws {
    // The shape `lianyaohu simulate` serves: OpenBB's fields plus "simulated" per result.
    let body = #"""
      {"id": "0b1c", "results": [
        {"symbol": "AAPL", "last_price": 231.87, "last_timestamp": "2026-01-05T14:30:00", "prev_close": 232.1,
         "change": -0.23, "change_percent": -0.000991, "currency": "USD", "simulated": true},
        {"symbol": "MSFT", "last_price": 508.2, "prev_close": 508.2, "simulated": false},
        {"symbol": "NVDA", "last_price": 181.4, "prev_close": 181.4, "simulated": "yes"}
      ], "provider": "fmp", "warnings": null, "chart": null, "extra": {"simulated": true}}
      """#
    let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("NVDA")]
    let results = try adapter.parse(snapshot(body, symbols: symbols, receivedAt: utc("2026-01-05T14:30:01Z")))
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.isSimulated)
    #expect(aapl.price == 231.87)
    #expect(aapl.changePercent == -0.0991)
    // Only a JSON true counts; anything else is a real quote as far as the adapter can tell.
    #expect(try !quote(results[Symbol("MSFT")]).isSimulated)
    #expect(try !quote(results[Symbol("NVDA")]).isSimulated)
  }

  @Test func eachBackendGetsItsOwnSpelling() {
    let fmp = adapter
    #expect(fmp.capabilities.maximumBatchSize == 20)
    #expect(fmp.providerSymbol(for: Symbol("AAPL")) == "AAPL")
    #expect(fmp.providerSymbol(for: Symbol("BTC-USD")) == "BTCUSD")
    #expect(fmp.providerSymbol(for: Symbol("EURUSD=X")) == "EURUSD")
    #expect(fmp.providerSymbol(for: Symbol("^GSPC")) == "^GSPC")
    #expect(fmp.providerSymbol(for: Symbol("0700.HK")) == "0700.HK")
    #expect(fmp.providerSymbol(for: Symbol("GC=F")) == "GCUSD")
    let yfinance = OpenBBAdapter(backend: "yfinance")
    for text in ["BTC-USD", "^VIX", "EURUSD=X", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L", "BRK-B"] {
      let symbol = (try? Symbol(validating: text)) ?? Symbol("AAPL")
      #expect(yfinance.providerSymbol(for: symbol) == text)
    }
    let intrinio = OpenBBAdapter(backend: "intrinio")
    #expect(intrinio.providerSymbol(for: Symbol("BRK-B")) == "BRK.B")
    #expect(intrinio.providerSymbol(for: Symbol("VOD.L")) == nil)
    #expect(intrinio.providerSymbol(for: Symbol("BTC-USD")) == nil)
    let cboe = OpenBBAdapter(backend: "cboe")
    #expect(cboe.providerSymbol(for: Symbol("^GSPC")) == "SPX")
    #expect(cboe.providerSymbol(for: Symbol("^VIX")) == "VIX")
    #expect(cboe.providerSymbol(for: Symbol("SPY")) == "SPY")
    #expect(cboe.providerSymbol(for: Symbol("EURUSD=X")) == nil)
    let tmx = OpenBBAdapter(backend: "tmx")
    #expect(tmx.providerSymbol(for: Symbol("SHOP.TO")) == "SHOP")
    #expect(tmx.providerSymbol(for: Symbol("RCI-B.TO")) == "RCI.B")
    #expect(tmx.providerSymbol(for: Symbol("AAPL")) == nil)
    #expect(!tmx.canServe(Symbol("AAPL")))
    // A backend we have no rule for is asked for the canonical symbol.
    #expect(OpenBBAdapter(backend: "tiingo").providerSymbol(for: Symbol("ASML.AS")) == "ASML.AS")
  }

  // MARK: Failures openbb-api relays from its backend

  func relayed(
    _ path: String, status: Int, headers: [HTTPHeader] = [], symbols: [Symbol] = [Symbol("AAPL")]
  ) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, headers: headers, symbols: symbols, receivedAt: received, source: "openbb")
  }

  /// The issue's case: FMP's rate limit, relayed by openbb-api as a 400 (OpenBBError) or,
  /// behind a gateway, a 502, is a rate limit: not a breaker fault.
  @Test func aRelayedRateLimitIsARateLimitUnderAnyStatus() throws {
    for (path, status) in [
      ("openbb/error_400_fmp_rate_limit_relayed.json", 400), ("openbb/error_502_fmp_rate_limit_relayed.json", 502),
      ("openbb/error_502_fmp_rate_limit_relayed.json", 500),
    ] {
      let error = #expect(throws: ProviderError.self, "\(path)") { try adapter.parse(try relayed(path, status: status)) }
      #expect(error == .rateLimited(retryAfter: nil), "\(path) with \(status)")
      #expect(error?.isProviderFault == false)
    }
  }

  @Test func aRelayedRateLimitKeepsItsRetryHint() throws {
    let fromHeader = try relayed(
      "openbb/error_502_fmp_rate_limit_relayed.json", status: 502, headers: [HTTPHeader(name: "Retry-After", value: "20")])
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(20))) { try adapter.parse(fromHeader) }
    let fromText = snapshot(
      #"{"detail": "Error in Polygon request -> Too many requests, retry after 45 seconds"}"#, status: 502,
      symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(45))) { try adapter.parse(fromText) }
  }

  @Test func aBackendCredentialProblemIsUnauthorized() throws {
    #expect(throws: ProviderError.unauthorized) {
      try adapter.parse(try relayed("openbb/error_400_missing_credential.json", status: 400))
    }
    let badKey = snapshot(
      #"{"detail": "FMP Error Message -> Status code: 401 -> Invalid API KEY. Feel free to create a Free API Key."}"#,
      status: 500, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(badKey) }
  }

  /// Polygon's NOT_AUTHORIZED becomes openbb_polygon's UnauthorizedError with Polygon's
  /// text: the plan lacks the data, so every symbol asked is unsupported, not the key wrong.
  @Test func aRelayedPlanLimitIsUnsupportedForEverySymbolAsked() throws {
    let symbols = [Symbol("AAPL"), Symbol("^GSPC")]
    let results = try adapter.parse(try relayed("openbb/error_400_polygon_not_entitled.json", status: 400, symbols: symbols))
    #expect(failure(results[Symbol("AAPL")]) == .unsupportedSymbol(Symbol("AAPL")))
    #expect(failure(results[Symbol("^GSPC")]) == .unsupportedSymbol(Symbol("^GSPC")))
  }

  @Test func emptyDataWrappedAsA400IsUnknownForEverySymbolAsked() throws {
    let symbols = [Symbol("ZZZZ"), Symbol("QQQQQ")]
    let results = try adapter.parse(try relayed("openbb/error_400_no_results.json", status: 400, symbols: symbols))
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
    #expect(failure(results[Symbol("QQQQQ")]) == .unknownSymbol(Symbol("QQQQQ")))
  }

  /// The backend's own outage, relayed as a 400 carrying aiohttp's text: the backend's 503,
  /// a breaker fault; the same from a proxy in front of openbb-api is the proxy's 502.
  @Test func upstreamOutagesKeepTheirStatus() throws {
    let relayedOutage = #expect(throws: ProviderError.self) {
      try adapter.parse(try relayed("openbb/error_400_upstream_503_relayed.json", status: 400))
    }
    #expect(relayedOutage == .upstreamStatus(503))
    #expect(relayedOutage?.isProviderFault == true)
    var proxy = try relayed("openbb/error_502_proxy_nginx.html", status: 502)
    proxy.headers = [HTTPHeader(name: "Content-Type", value: "text/html")]
    #expect(throws: ProviderError.upstreamStatus(502)) { try adapter.parse(proxy) }
    let timedOut = snapshot(
      #"{"detail": "Request to https://api.tiingo.com timed out"}"#, status: 500, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.timeout) { try adapter.parse(timedOut) }
  }

  /// openbb-api's answers about its own setup are not about the symbols: a route it lacks
  /// (FastAPI's bare "Not Found") or a backend it does not have must not make every symbol
  /// unknown (and so negatively cached).
  @Test func setupErrorsAreNotUnknownSymbols() throws {
    let noRoute = snapshot(#"{"detail": "Not Found"}"#, status: 404, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(404)) { try adapter.parse(noRoute) }
    let noBackend = snapshot(
      #"{"detail": "Provider 'fmpx' not found in the registry.Available providers: ['fmp', 'yfinance']"}"#, status: 400,
      symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(400)) { try adapter.parse(noBackend) }
  }

  /// A 422 is openbb-api refusing our parameters, whichever it names (the symbol's value
  /// included): the client error it is, not a breaker fault and not an unknown symbol.
  @Test func validationErrorsAreBadParametersNotFaults() throws {
    for path in ["openbb/error_422_symbol_pattern.json", "openbb/quote_missing_symbol.json"] {
      let response = try relayed(path, status: 422, symbols: [Symbol("BRK-B"), Symbol("AAPL")])
      let error = #expect(throws: ProviderError.self, "\(path)") { try adapter.parse(response) }
      #expect(error == .upstreamStatus(422), "\(path)")
      #expect(error?.isProviderFault == false)
    }
  }

  /// yfinance turns a per-symbol failure into a warning; a rate limit named there is a rate
  /// limit for that symbol, and a symbol nothing is said about is unknown.
  @Test func warningsExplainMissingSymbols() throws {
    let yfinance = OpenBBAdapter(backend: "yfinance")
    let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("ZZZZ")]
    let response = try Fixture.response(
      "openbb/quote_yfinance_warning_rate_limited.json", symbols: symbols, receivedAt: utc("2025-12-22T17:26:03Z"),
      source: "openbb")
    let results = try yfinance.parse(response)
    #expect(try quote(results[Symbol("AAPL")]).price == 271.9168)
    #expect(failure(results[Symbol("MSFT")]) == .rateLimited(retryAfter: nil))
    // The warning names MSFT only; but a rate limit holds for the whole call.
    #expect(failure(results[Symbol("ZZZZ")]) == .rateLimited(retryAfter: nil))
    let quiet = snapshot(
      #"{"results": [], "provider": "yfinance", "warnings": [{"category": "UserWarning", "message": "Error getting data for ZZZZ: 404 Client Error: Not Found"}]}"#,
      symbols: [Symbol("ZZZZ"), Symbol("MSFT")])
    let quietResults = try yfinance.parse(quiet)
    #expect(failure(quietResults[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
    #expect(failure(quietResults[Symbol("MSFT")]) == .unknownSymbol(Symbol("MSFT")))
  }

  @Test func aRowWithoutAnyPriceIsUnsupportedNotMalformed() throws {
    let yfinance = OpenBBAdapter(backend: "yfinance")
    let body = #"{"results": [{"symbol": "^VIX", "name": "CBOE Volatility Index", "prev_close": 16.2}], "provider": "yfinance"}"#
    let results = try yfinance.parse(snapshot(body, symbols: [Symbol("^VIX")]))
    #expect(failure(results[Symbol("^VIX")]) == .unsupportedSymbol(Symbol("^VIX")))
    // A price field that is there but unreadable is the provider's failure, as anywhere.
    let unreadable = #"{"results": [{"symbol": "^VIX", "last_price": null, "prev_close": 16.2}], "provider": "yfinance"}"#
    #expect(isMalformed(failure(try yfinance.parse(snapshot(unreadable, symbols: [Symbol("^VIX")]))[Symbol("^VIX")])))
  }

  @Test func mentionsMatchesWholeSymbolsOnly() {
    #expect(OpenBBAdapter.mentions("ERROR GETTING DATA FOR MSFT: 404", token: "MSFT"))
    #expect(OpenBBAdapter.mentions("MSFT", token: "MSFT"))
    #expect(!OpenBBAdapter.mentions("ERROR GETTING DATA FOR MSFTX", token: "MSFT"))
    #expect(!OpenBBAdapter.mentions("AAPL FAILED", token: "A"))
    #expect(!OpenBBAdapter.mentions("BRK.B FAILED", token: "BRK"))
  }
}
