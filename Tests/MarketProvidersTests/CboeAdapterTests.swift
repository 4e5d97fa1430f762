import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct CboeAdapterTests {
  let adapter = CboeAdapter()
  /// The CDN's Date header on the recorded answer.
  let received = utc("2023-12-18T15:29:34Z")

  @Test func requestsTheDelayedQuoteFileWithoutAnyKey() throws {
    let request = try adapter.makeRequest(for: [Symbol("AAPL")])
    #expect(request.method == .get)
    #expect(request.url == "https://cdn.cboe.com/api/global/delayed_quotes/quotes/AAPL.json")
    #expect(request.body == nil)
    #expect(adapter.id == "cboe")
    let elsewhere = CboeAdapter(id: "cboe-mirror", origin: "http://127.0.0.1:9")
    #expect(elsewhere.id == "cboe-mirror")
    #expect(try elsewhere.makeRequest(for: [Symbol("SPY")]).url == "http://127.0.0.1:9/api/global/delayed_quotes/quotes/SPY.json")
  }

  @Test func indicesTakeALeadingUnderscore() throws {
    #expect(adapter.providerSymbol(for: Symbol("^GSPC")) == "_SPX")
    #expect(adapter.providerSymbol(for: Symbol("^SPX")) == "_SPX")
    #expect(adapter.providerSymbol(for: Symbol("^VIX")) == "_VIX")
    #expect(adapter.providerSymbol(for: Symbol("^NDX")) == "_NDX")
    #expect(try adapter.makeRequest(for: [Symbol("^GSPC")]).path == "/api/global/delayed_quotes/quotes/_SPX.json")
  }

  /// Cboe publishes US equities, ETFs and indices only.
  @Test func refusesWhatCboeDoesNotPublish() {
    for text in ["0700.HK", "SHOP.TO", "VOD.L", "EURUSD=X", "BTC-USD", "GC=F"] {
      let symbol = (try? Symbol(validating: text)) ?? Symbol("AAPL")
      #expect(adapter.providerSymbol(for: symbol) == nil, "\(text)")
      #expect(!adapter.canServe(symbol), "\(text)")
    }
    #expect(adapter.canServe(Symbol("SPY")))
  }

  @Test func parsesTheRecordedQuoteAsDelayed() throws {
    let response = try Fixture.response(
      "cboe/delayed_quote_AAPL_2023-12-18.json", symbols: [Symbol("AAPL")], receivedAt: received, source: "cboe")
    let normalized = try #require(try adapter.parseWithRepairs(response)[Symbol("AAPL")]?.get())
    let aapl = normalized.quote
    #expect(aapl.isDelayed)
    #expect(!aapl.isSimulated)
    #expect(aapl.price == 194.7799)
    #expect(aapl.previousClose == 197.57)
    #expect(aapl.change == -2.7901)
    #expect(aapl.changePercent == -1.4122)
    #expect(aapl.open == 196.16)
    #expect(aapl.high == 196.63)
    #expect(aapl.low == 194.39)
    #expect(aapl.volume == 12_158_629)
    #expect(aapl.currency == "USD")
    // 10:13:46 New York time (EST) is 15:13:46 UTC: the 15-minute delay before the CDN's
    // 15:28:49 write and the 15:29:34 receipt.
    #expect(aapl.asOf == utc("2023-12-18T15:13:46Z"))
    #expect(normalized.repairs.isEmpty)
  }

  /// The CDN has no file for an unknown symbol: 403 (S3's AccessDenied XML) or 404 HTML.
  @Test func missingFilesAreUnknownSymbols() throws {
    for (path, status) in [("cboe/error_403_access_denied.xml", 403), ("cboe/error_404_not_found.html", 404)] {
      let response = try Fixture.response(
        path, status: status, symbols: [Symbol("ZZZZ")], receivedAt: received, source: "cboe")
      let result = try adapter.parse(response)[Symbol("ZZZZ")]
      #expect(failure(result) == .unknownSymbol(Symbol("ZZZZ")), "\(path)")
    }
  }

  /// CloudFront refusing us is not about the symbol: no unknown symbol to cache.
  @Test func aCloudFrontBlockIsTheStatusItIs() throws {
    let response = try Fixture.response(
      "cboe/error_403_cloudfront_blocked.html", status: 403, symbols: [Symbol("AAPL")], receivedAt: received,
      source: "cboe")
    #expect(throws: ProviderError.upstreamStatus(403)) { try adapter.parse(response) }
  }

  @Test func rateLimitsAndOutages() {
    let limited = snapshot(
      "Too Many Requests", status: 429, headers: [HTTPHeader(name: "Retry-After", value: "10")],
      symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(10))) { try adapter.parse(limited) }
    let down = snapshot("<html><body>503 Service Unavailable</body></html>", status: 503, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(503)) { try adapter.parse(down) }
  }

  @Test func emptyFilesAreUnknownAndOtherShapesMalformed() throws {
    let zeros = #"{"timestamp": "2023-12-18 15:28:49", "data": {"symbol": "OLD", "current_price": 0, "prev_day_close": 0}}"#
    #expect(failure(try adapter.parse(snapshot(zeros, symbols: [Symbol("OLD")]))[Symbol("OLD")]) == .unknownSymbol(Symbol("OLD")))
    let error = #expect(throws: ProviderError.self) {
      try adapter.parse(snapshot(#"{"timestamp": "2023-12-18 15:28:49"}"#, symbols: [Symbol("AAPL")]))
    }
    #expect(isMalformed(error))
  }

  @Test func disagreeingChangeFieldsAreRecomputedAndReported() throws {
    // price_change_percent sent as a fraction (-0.014122) instead of percent.
    let body = #"""
      {"timestamp": "2023-12-18 15:28:49", "symbol": "AAPL", "data": {"symbol": "AAPL", "current_price": 194.7799,
      "prev_day_close": 197.57, "price_change": -2.7901, "price_change_percent": -0.014122,
      "last_trade_time": "2023-12-18T10:13:46"}}
      """#
    let normalized = try #require(
      try adapter.parseWithRepairs(snapshot(body, symbols: [Symbol("AAPL")], receivedAt: received))[Symbol("AAPL")]?.get())
    #expect(normalized.quote.changePercent == -1.4122)
    #expect(normalized.repairs == [.changePercentRecomputed(reported: -0.0141, recomputed: -1.4122)])
  }
}
