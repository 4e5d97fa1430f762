import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct AlphaVantageHistoryTests {
  let alpha = AlphaVantageAdapter(apiKey: Secret("AVKEY0123456789"))

  func response(_ path: String, status: Int = 200, _ symbol: Symbol) throws -> HTTPResponseSnapshot {
    try Fixture.response(
      path, status: status, symbols: [symbol], receivedAt: utc("2023-01-11T00:00:00Z"), source: "alpha-vantage")
  }

  @Test func asksCompactForRecentWindowsAndFullForOlderOnes() throws {
    let recent = try alpha.makeHistoryRequest(for: historyQuery("VOD.L", from: "2023-01-01", to: "2023-02-01"))
    #expect(
      recent.url
        == "https://www.alphavantage.co/query?function=TIME_SERIES_DAILY&symbol=VOD.LON&outputsize=compact&apikey=AVKEY0123456789"
    )
    #expect(!recent.redactedDescription.contains("AVKEY0123456789"))
    let old = try alpha.makeHistoryRequest(for: historyQuery("AAPL", from: "2022-06-01", to: "2022-07-01"))
    #expect(old.target.contains("function=TIME_SERIES_DAILY&symbol=AAPL&outputsize=full&"))
    let weekly = try alpha.makeHistoryRequest(for: historyQuery("IBM", .oneWeek, from: "2023-01-01", to: "2024-01-01"))
    #expect(weekly.target == "/query?function=TIME_SERIES_WEEKLY&symbol=IBM&apikey=AVKEY0123456789")
    let monthly = try alpha.makeHistoryRequest(for: historyQuery("IBM", .oneMonth, from: "2023-01-01", to: "2024-01-01"))
    #expect(monthly.target.hasPrefix("/query?function=TIME_SERIES_MONTHLY&symbol=IBM&"))
    #expect(!alpha.servesHistory(of: Symbol("BTC-USD")))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("EURUSD=X"))) {
      try alpha.makeHistoryRequest(for: historyQuery("EURUSD=X", from: "2023-01-01", to: "2023-02-01"))
    }
    #expect(!alpha.historyIntervals.contains(.oneHour))
  }

  @Test func readsTheDailySeriesOldestFirst() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try alpha.parseHistory(
      try response("alpha_vantage/time_series_daily_AAPL_compact_2023-01-10.json", query.symbol), for: query)
    expectValid(answer, in: query)
    #expect(
      answer.bars.map(\.start) == ["2023-01-03", "2023-01-04", "2023-01-05", "2023-01-06", "2023-01-09", "2023-01-10"].map(day))
    #expect(
      answer.bars.first
        == Bar(start: day("2023-01-03"), open: 130.28, high: 130.9, low: 124.17, close: 125.07, volume: 112_117_471))
    #expect(answer.bars.allSatisfy { $0.adjustedClose == nil })
  }

  @Test func redatesWeeksToTheirMonday() throws {
    let query = historyQuery("IBM", .oneWeek, from: "2023-01-01", to: "2024-01-01")
    let answer = try alpha.parseHistory(
      try response("alpha_vantage/time_series_weekly_IBM_2023-01-13.json", query.symbol), for: query)
    #expect(answer.bars.map(\.start) == [day("2023-01-02"), day("2023-01-09")])
    #expect(answer.bars.last?.close == 145.89)
  }

  @Test func failuresComeWith200() throws {
    let aapl = Symbol("AAPL")
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let cases: [(String, ProviderError)] = [
      ("alpha_vantage/error_message_invalid_call_time_series.json", .unknownSymbol(aapl)),
      ("alpha_vantage/error_note_rate_limit_2018.json", .rateLimited(retryAfter: nil)),
      ("synthetic/alpha_vantage_information_daily_limit.json", .quotaExhausted),
      ("alpha_vantage/information_premium_endpoint.json", .unsupportedSymbol(aapl)),
      ("alpha_vantage/information_demo_key.json", .unauthorized),
      ("synthetic/alpha_vantage_error_message_invalid_apikey.json", .unauthorized),
    ]
    for (path, expected) in cases {
      #expect(throws: expected, "\(path)") { try alpha.parseHistory(try response(path, aapl), for: query) }
    }
    let empty = #"{"Meta Data": {"2. Symbol": "AAPL"}, "Time Series (Daily)": {}}"#
    #expect(try alpha.parseHistory(snapshot(empty, symbols: [aapl]), for: query).bars.isEmpty)
    let wrong = try providerErrorOf { try alpha.parseHistory(snapshot(#"{"Global Quote": {}}"#, symbols: [aapl]), for: query) }
    #expect(isMalformed(wrong))
    expectSafe(wrong, hiding: "AVKEY0123456789")
  }

  @Test func readsTheOverview() throws {
    let ibm = Symbol("IBM")
    let request = try alpha.makeProfileRequest(for: [ibm])
    #expect(request.url == "https://www.alphavantage.co/query?function=OVERVIEW&symbol=IBM&apikey=AVKEY0123456789")
    let overview = try profile(try alpha.parseProfiles(try response("alpha_vantage/overview_IBM_2020-06-30.json", ibm))[ibm])
    #expect(overview.name == "International Business Machines Corporation")
    #expect(overview.exchange == "NYSE")
    #expect(overview.currency == "USD")
    #expect(overview.country == "USA")
    #expect(overview.sector == "Technology")
    #expect(overview.industry == "Information Technology Services")
    #expect(overview.marketCap == 114_234_572_800)
    #expect(overview.sharesOutstanding == 890_579_008)
    #expect(overview.website == nil)
    #expect(overview.description?.hasPrefix("International Business Machines Corporation operates") == true)
    #expect(overview.problem == nil)
  }

  @Test func noneIsNothingAndEmptyIsUnknown() throws {
    let spy = Symbol("SPY")
    let fund = try profile(try alpha.parseProfiles(try response("alpha_vantage/overview_SPY_none_fields.json", spy))[spy])
    #expect(fund.name == "SPDR S&P 500 ETF Trust")
    #expect(fund.sector == nil && fund.industry == nil && fund.marketCap == nil && fund.description == nil && fund.website == nil)
    let zzzz = Symbol("ZZZZ")
    #expect(
      profileFailure(try alpha.parseProfiles(try response("alpha_vantage/overview_unknown_symbol_empty.json", zzzz))[zzzz])
        == .unknownSymbol(zzzz))
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try alpha.parseProfiles(try response("alpha_vantage/error_note_rate_limit_2018.json", zzzz))
    }
    #expect(
      profileFailure(try alpha.parseProfiles(try response("alpha_vantage/information_premium_endpoint.json", zzzz))[zzzz])
        == .unsupportedSymbol(zzzz))
    #expect(!alpha.servesProfile(of: Symbol("BTC-USD")))
    #expect(throws: ProviderError.unauthorized) {
      try alpha.parseProfiles(try response("synthetic/alpha_vantage_error_message_invalid_apikey.json", zzzz))
    }
    #expect(throws: ProviderError.quotaExhausted) {
      try alpha.parseProfiles(try response("synthetic/alpha_vantage_information_daily_limit.json", zzzz))
    }
    let shapeless = try providerErrorOf { try alpha.parseProfiles(snapshot(#"{"Global Quote": {}}"#, symbols: [zzzz])) }
    #expect(isMalformed(shapeless))
  }
}
