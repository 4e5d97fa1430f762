import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct OpenBBHistoryTests {
  let fmp = OpenBBAdapter(backend: "fmp")
  let yfinance = OpenBBAdapter(backend: "yfinance")

  func response(_ path: String, status: Int = 200, symbols: [Symbol]) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: symbols, receivedAt: utc("2025-09-23T03:08:18Z"), source: "openbb")
  }

  @Test func asksTheHistoricalRouteWithDatesBothIncluded() throws {
    let request = try fmp.makeHistoryRequest(for: historyQuery("BTC-USD", from: "2023-01-01", to: "2023-02-01"))
    #expect(
      request.url
        == "http://127.0.0.1:6900/api/v1/equity/price/historical?symbol=BTCUSD&start_date=2023-01-01&end_date=2023-01-31"
        + "&interval=1d&provider=fmp")
    let weekly = try yfinance.makeHistoryRequest(for: historyQuery("AAPL", .oneWeek, from: "2023-01-01", to: "2024-01-01"))
    #expect(weekly.target.contains("start_date=2022-12-26&end_date=2023-12-31&interval=1W&provider=yfinance"))
    let secured = OpenBBAdapter(credentials: .init(username: "desk", password: Secret("hunter2")))
    let basic = try secured.makeHistoryRequest(for: historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"))
    #expect(basic.header("Authorization")?.hasPrefix("Basic ") == true)
    #expect(!basic.redactedDescription.contains(basic.header("Authorization") ?? "-"))
  }

  @Test func intervalsFollowTheBackend() {
    #expect(!fmp.historyIntervals.contains(.oneWeek))
    #expect(fmp.historyIntervals.contains(.oneMinute))
    #expect(yfinance.historyIntervals == Set(BarInterval.allCases))
    #expect(OpenBBAdapter(backend: "newcomer").historyIntervals == [.oneDay])
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) {
      try fmp.makeHistoryRequest(for: historyQuery("AAPL", .oneMonth, from: "2023-01-01", to: "2024-01-01"))
    }
    // Intrinio's prices are US listings only, as for quotes.
    #expect(!OpenBBAdapter(backend: "intrinio").servesHistory(of: Symbol("0700.HK")))
  }

  @Test func readsDailyRowsAsExchangeDates() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try fmp.parseHistory(
      try response("openbb/historical_AAPL_fmp_1d_2023-01.json", symbols: [query.symbol]), for: query)
    expectValid(answer, in: query)
    #expect(answer.bars.count == 6)
    #expect(
      answer.bars.first
        == Bar(start: day("2023-01-03"), open: 130.28, high: 130.9, low: 124.17, close: 125.07, volume: 112_117_500))
    #expect(answer.bars.last?.start == day("2023-01-10"))
    #expect(!answer.isSimulated)
  }

  @Test func readsIntradayTimesWithOffsetsAndMidnightDates() throws {
    let query = historyQuery("BTC-USD", .oneHour, from: "2024-01-01", to: "2024-01-03", now: "2024-01-03T00:00:00Z")
    let answer = try yfinance.parseHistory(
      try response("openbb/historical_BTC-USD_yfinance_1h_2024-01-01.json", symbols: [query.symbol]), for: query)
    expectValid(answer, in: query)
    // The standard model turns a midnight date-time into a bare date; crypto dates are UTC.
    #expect(
      answer.bars.map(\.start)
        == ["2024-01-01T22:00:00Z", "2024-01-01T23:00:00Z", "2024-01-02T00:00:00Z", "2024-01-02T01:00:00Z"].map(epoch))
    // FMP's naive intraday times are New York wall time.
    #expect(
      OpenBBAdapter.start(of: "2023-01-03T09:30:00", .fiveMinutes, zone: ExchangeZone.zone(for: Symbol("AAPL")))
        == epoch("2023-01-03T14:30:00Z"))
  }

  @Test func emptyAndFailedAnswers() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    #expect(
      try fmp.parseHistory(try response("synthetic/openbb_204_no_content.txt", status: 204, symbols: [query.symbol]), for: query)
        .bars.isEmpty)
    #expect(try fmp.parseHistory(snapshot(#"{"results":[],"provider":"fmp"}"#, symbols: [query.symbol]), for: query).bars.isEmpty)
    let cases: [(String, Int, ProviderError)] = [
      ("openbb/error_400_fmp_rate_limit_relayed.json", 400, .rateLimited(retryAfter: nil)),
      ("openbb/error_502_fmp_rate_limit_relayed.json", 502, .rateLimited(retryAfter: nil)),
      ("openbb/error_400_missing_credential.json", 400, .unauthorized),
      ("openbb/error_400_no_results.json", 400, .unknownSymbol(query.symbol)),
      ("openbb/error_400_polygon_not_entitled.json", 400, .unsupportedSymbol(query.symbol)),
      ("openbb/error_422_symbol_pattern.json", 422, .upstreamStatus(422)),
      ("openbb/error_502_proxy_nginx.html", 502, .upstreamStatus(502)),
      ("synthetic/openbb_500_unexpected_error.json", 500, .upstreamStatus(500)),
    ]
    for (path, status, expected) in cases {
      #expect(throws: expected, "\(path)") {
        try fmp.parseHistory(try response(path, status: status, symbols: [query.symbol]), for: query)
      }
    }
  }

  @Test func readsProfilesInABatch() throws {
    let request = try fmp.makeProfileRequest(for: [Symbol("AAPL"), Symbol("ZZZZ")])
    #expect(request.url == "http://127.0.0.1:6900/api/v1/equity/profile?symbol=AAPL,ZZZZ&provider=fmp")
    #expect(fmp.profileBatchSize == 20)
    let results = try fmp.parseProfiles(
      try response("openbb/profile_AAPL_ZZZZ_fmp.json", symbols: [Symbol("AAPL"), Symbol("ZZZZ")]))
    let apple = try profile(results[Symbol("AAPL")])
    #expect(apple.name == "Apple Inc.")
    #expect(apple.exchange == "NASDAQ")
    #expect(apple.currency == "USD")
    #expect(apple.sector == "Technology")
    #expect(apple.industry == "Consumer Electronics")
    #expect(apple.marketCap == 3_800_327_071_200)
    #expect(apple.country == "US")
    #expect(apple.website == "https://www.apple.com")
    #expect(apple.description?.hasPrefix("Apple Inc. designs") == true)
    #expect(apple.source == "openbb" && !apple.isSimulated)
    #expect(profileFailure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func profileFailures() throws {
    let symbols = [Symbol("AAPL"), Symbol("MSFT")]
    let none = try fmp.parseProfiles(try response("synthetic/openbb_204_no_content.txt", status: 204, symbols: symbols))
    #expect(symbols.allSatisfy { profileFailure(none[$0]) == .unknownSymbol($0) })
    let plan = try fmp.parseProfiles(try response("openbb/error_400_polygon_not_entitled.json", status: 400, symbols: symbols))
    #expect(symbols.allSatisfy { profileFailure(plan[$0]) == .unsupportedSymbol($0) })
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try fmp.parseProfiles(try response("openbb/error_400_fmp_rate_limit_relayed.json", status: 400, symbols: symbols))
    }
    #expect(throws: ProviderError.unauthorized) {
      try fmp.parseProfiles(try response("synthetic/openbb_401_incorrect_credentials.json", status: 401, symbols: symbols))
    }
  }
}
