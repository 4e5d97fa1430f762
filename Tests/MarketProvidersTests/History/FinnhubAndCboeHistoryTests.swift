import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct FinnhubProfileTests {
  let finnhub = FinnhubAdapter(token: Secret("FHTOKENabc123"))

  func response(_ path: String, status: Int = 200, _ symbol: Symbol) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: [symbol], receivedAt: utc("2024-05-01T00:00:00Z"), source: "finnhub")
  }

  @Test func candlesAreAPaidPlanSoNoBarSizesAreServed() {
    #expect(finnhub.historyIntervals.isEmpty)
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) {
      try finnhub.makeHistoryRequest(for: historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"))
    }
  }

  @Test func readsProfile2InMillions() throws {
    let request = try finnhub.makeProfileRequest(for: [Symbol("BRK-B")])
    #expect(request.url == "https://finnhub.io/api/v1/stock/profile2?symbol=BRK.B")
    #expect(request.header("X-Finnhub-Token") == "FHTOKENabc123")
    #expect(!request.redactedDescription.contains("FHTOKENabc123"))
    let aapl = Symbol("AAPL")
    let apple = try profile(try finnhub.parseProfiles(try response("finnhub/profile2_AAPL.json", aapl))[aapl])
    #expect(apple.name == "Apple Inc")
    #expect(apple.exchange == "NASDAQ NMS - GLOBAL MARKET")
    #expect(apple.currency == "USD")
    #expect(apple.industry == "Technology")
    #expect(abs((apple.marketCap ?? 0) - 3_149_828_207_397) < 1)
    #expect(abs((apple.sharesOutstanding ?? 0) - 15_037_870_000) < 1)
    #expect(apple.country == "US")
    #expect(apple.website == "https://www.apple.com/")
    #expect(!finnhub.servesProfile(of: Symbol("0700.HK")))
  }

  @Test func profileFailures() throws {
    let zzzz = Symbol("ZZZZ")
    #expect(
      profileFailure(try finnhub.parseProfiles(try response("finnhub/profile2_unknown_symbol_empty.json", zzzz))[zzzz])
        == .unknownSymbol(zzzz))
    #expect(
      profileFailure(try finnhub.parseProfiles(try response("finnhub/error_403_no_access.json", status: 403, zzzz))[zzzz])
        == .unsupportedSymbol(zzzz))
    #expect(throws: ProviderError.unauthorized) {
      try finnhub.parseProfiles(try response("synthetic/finnhub_401_invalid_api_key.json", status: 401, zzzz))
    }
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try finnhub.parseProfiles(try response("finnhub/error_429_try_again_later.txt", status: 429, zzzz))
    }
    #expect(throws: ProviderError.unauthorized) {
      try finnhub.parseProfiles(try response("finnhub/error_429_api_limit_reached.txt", status: 429, zzzz))
    }
    // A profile that names nothing is an unknown symbol; an object that is not a profile at
    // all is malformed, not an unknown symbol.
    let bare = snapshot(#"{"ticker": "ZZZZ", "name": "", "exchange": ""}"#, symbols: [zzzz])
    #expect(profileFailure(try finnhub.parseProfiles(bare)[zzzz]) == .unknownSymbol(zzzz))
    let shapeless = try providerErrorOf { try finnhub.parseProfiles(snapshot(#"{"c": 0, "d": null}"#, symbols: [zzzz])) }
    #expect(isMalformed(shapeless))
  }
}

@Suite struct CboeHistoryTests {
  let cboe = CboeAdapter()

  func response(_ path: String, status: Int = 200, _ symbol: Symbol) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: [symbol], receivedAt: utc("2023-12-18T15:29:35Z"), source: "cboe")
  }

  @Test func asksTheWholeDailyChartOfTheListing() throws {
    #expect(
      try cboe.makeHistoryRequest(for: historyQuery("^VIX", from: "2023-01-01", to: "2023-02-01")).url
        == "https://cdn.cboe.com/api/global/delayed_quotes/charts/historical/_VIX.json")
    #expect(cboe.historyIntervals == [.oneDay])
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("SHOP.TO"))) {
      try cboe.makeHistoryRequest(for: historyQuery("SHOP.TO", from: "2023-01-01", to: "2023-02-01"))
    }
  }

  @Test func keepsTheWindowAndSkipsPreListingZeros() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try cboe.parseHistory(try response("cboe/charts_historical_AAPL.json", query.symbol), for: query)
    expectValid(answer, in: query)
    #expect(answer.bars.count == 6)
    #expect(
      answer.bars[2] == Bar(start: day("2023-01-05"), open: 127.13, high: 127.77, low: 124.76, close: 125.02, volume: 80_716_808))
    #expect(answer.currency == "USD")
    let everything = historyQuery("AAPL", from: "2000-01-01", to: "2024-01-01")
    #expect(
      try cboe.parseHistory(try response("cboe/charts_historical_AAPL.json", everything.symbol), for: everything).bars.count == 6)
  }

  @Test func aWindowWithoutSessionsIsNoBars() throws {
    let aapl = Symbol("AAPL")
    // Before the listing began the file quotes zeros: no trading, no bars.
    let early = historyQuery("AAPL", from: "2004-01-01", to: "2004-02-01")
    #expect(try cboe.parseHistory(try response("cboe/charts_historical_AAPL.json", aapl), for: early).bars.isEmpty)
    let later = historyQuery("AAPL", from: "2023-02-01", to: "2023-03-01")
    #expect(try cboe.parseHistory(try response("cboe/charts_historical_AAPL.json", aapl), for: later).bars.isEmpty)
    #expect(try cboe.parseHistory(snapshot(#"{"symbol": "AAPL", "data": []}"#, symbols: [aapl]), for: later).bars.isEmpty)
    let shapeless = try providerErrorOf { try cboe.parseHistory(snapshot(#"{"symbol": "AAPL"}"#, symbols: [aapl]), for: later) }
    #expect(isMalformed(shapeless))
  }

  @Test func aMissingFileIsAnUnknownSymbol() throws {
    let zzzz = Symbol("ZZZZ")
    let query = historyQuery("ZZZZ", from: "2023-01-01", to: "2023-02-01")
    #expect(throws: ProviderError.unknownSymbol(zzzz)) {
      try cboe.parseHistory(try response("cboe/error_403_access_denied.xml", status: 403, zzzz), for: query)
    }
    #expect(throws: ProviderError.upstreamStatus(403)) {
      try cboe.parseHistory(try response("cboe/error_403_cloudfront_blocked.html", status: 403, zzzz), for: query)
    }
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(30))) {
      try cboe.parseHistory(
        snapshot("slow down", status: 429, headers: [HTTPHeader(name: "Retry-After", value: "30")], symbols: [zzzz]), for: query)
    }
  }
}
