import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct FinancialModelingPrepHistoryTests {
  let stable = FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYabcdef123"))
  let legacy = FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYabcdef123"), endpoint: .legacyV3)

  func response(_ path: String, status: Int = 200, symbols: [Symbol]) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: symbols, receivedAt: utc("2025-09-23T03:08:17Z"), source: "fmp")
  }

  @Test func asksTheEndOfDaySeries() throws {
    let request = try stable.makeHistoryRequest(for: historyQuery("GC=F", from: "2023-01-01", to: "2023-02-01"))
    #expect(
      request.url
        == "https://financialmodelingprep.com/stable/historical-price-eod/full?symbol=GCUSD&from=2023-01-01&to=2023-01-31"
        + "&apikey=FMPKEYabcdef123")
    let old = try legacy.makeHistoryRequest(for: historyQuery("^GSPC", from: "2023-01-01", to: "2023-02-01"))
    #expect(old.target == "/api/v3/historical-price-full/%5EGSPC?from=2023-01-01&to=2023-01-31&apikey=FMPKEYabcdef123")
    #expect(stable.historyIntervals == [.oneDay])
  }

  @Test func readsTheRecordedNewestFirstSeriesOldestFirst() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try stable.parseHistory(
      try response("fmp/historical_eod_stable_AAPL_2023-01-03_to_2023-01-10.json", symbols: [query.symbol]), for: query)
    expectValid(answer, in: query)
    #expect(
      answer.bars.map(\.start) == ["2023-01-03", "2023-01-04", "2023-01-05", "2023-01-06", "2023-01-09", "2023-01-10"].map(day))
    #expect(
      answer.bars.last
        == Bar(start: day("2023-01-10"), open: 130.26, high: 131.26, low: 128.12, close: 130.73, volume: 63_896_200))
    // A window inside the answer keeps only its bars.
    let narrow = historyQuery("AAPL", from: "2023-01-05", to: "2023-01-07")
    let inside = try stable.parseHistory(
      try response("fmp/historical_eod_stable_AAPL_2023-01-03_to_2023-01-10.json", symbols: [narrow.symbol]), for: narrow)
    #expect(inside.bars.map(\.start) == [day("2023-01-05"), day("2023-01-06")])
  }

  @Test func readsTheLegacyShapeWithAdjustedCloses() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let body =
      #"{"symbol":"AAPL","historical":[{"date":"2023-01-04","open":126.89,"high":128.66,"low":125.08,"close":126.36,"adjClose":125.49,"volume":89113633}]}"#
    let answer = try legacy.parseHistory(snapshot(body, symbols: [query.symbol]), for: query)
    #expect(answer.bars.first?.adjustedClose == 125.49)
    #expect(try legacy.parseHistory(snapshot("{}", symbols: [query.symbol]), for: query).bars.isEmpty)
  }

  @Test func emptyAndFailedAnswers() throws {
    let aapl = Symbol("AAPL")
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    #expect(
      try stable.parseHistory(try response("synthetic/fmp_quote_unknown_symbol_empty.json", symbols: [aapl]), for: query).bars
        .isEmpty)
    let cases: [(String, Int, ProviderError)] = [
      ("fmp/error_429_limit_reach.json", 429, .rateLimited(retryAfter: nil)),
      ("synthetic/fmp_401_invalid_api_key.json", 401, .unauthorized),
      ("synthetic/fmp_402_premium_symbol.json", 402, .unsupportedSymbol(aapl)),
      ("fmp/error_403_exclusive_endpoint.json", 403, .unsupportedSymbol(aapl)),
      ("fmp/error_403_legacy_endpoint.json", 403, .unauthorized),
    ]
    for (path, status, expected) in cases {
      #expect(throws: expected, "\(path)") {
        try stable.parseHistory(try response(path, status: status, symbols: [aapl]), for: query)
      }
    }
  }

  @Test func readsTheRecordedProfile() throws {
    let request = try stable.makeProfileRequest(for: [Symbol("AAPL")])
    #expect(request.url == "https://financialmodelingprep.com/stable/profile?symbol=AAPL&apikey=FMPKEYabcdef123")
    #expect(
      try legacy.makeProfileRequest(for: [Symbol("AAPL"), Symbol("BTC-USD")]).target
        == "/api/v3/profile/AAPL,BTCUSD?apikey=FMPKEYabcdef123")
    let apple = try profile(
      try stable.parseProfiles(try response("fmp/profile_stable_AAPL_2025-09-23.json", symbols: [Symbol("AAPL")]))[Symbol("AAPL")]
    )
    #expect(apple.name == "Apple Inc.")
    #expect(apple.exchange == "NASDAQ")
    #expect(apple.currency == "USD")
    #expect(apple.sector == "Technology")
    #expect(apple.industry == "Consumer Electronics")
    #expect(apple.marketCap == 3_800_327_071_200)
    #expect(apple.sharesOutstanding == nil)
    #expect(apple.country == "US")
    #expect(apple.website == "https://www.apple.com")
    #expect(apple.problem == nil)
  }

  @Test func profileFailures() throws {
    let zzzz = Symbol("ZZZZ")
    let empty = try stable.parseProfiles(try response("synthetic/fmp_quote_unknown_symbol_empty.json", symbols: [zzzz]))
    #expect(profileFailure(empty[zzzz]) == .unknownSymbol(zzzz))
    let premium = try stable.parseProfiles(try response("synthetic/fmp_402_premium_symbol.json", status: 402, symbols: [zzzz]))
    #expect(profileFailure(premium[zzzz]) == .unsupportedSymbol(zzzz))
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try stable.parseProfiles(try response("fmp/error_429_limit_reach.json", status: 429, symbols: [zzzz]))
    }
    #expect(throws: ProviderError.unauthorized) {
      try stable.parseProfiles(try response("synthetic/fmp_401_invalid_api_key.json", status: 401, symbols: [zzzz]))
    }
    // The legacy batch: one row back, the other symbol unknown.
    let pair = [Symbol("AAPL"), zzzz]
    let body = #"[{"symbol": "AAPL", "companyName": "Apple Inc.", "exchangeShortName": "NASDAQ", "mktCap": 3.8e12}]"#
    let batch = try legacy.parseProfiles(snapshot(body, symbols: pair, source: "fmp"))
    #expect(try profile(batch[Symbol("AAPL")]).marketCap == 3.8e12)
    #expect(profileFailure(batch[zzzz]) == .unknownSymbol(zzzz))
  }
}
