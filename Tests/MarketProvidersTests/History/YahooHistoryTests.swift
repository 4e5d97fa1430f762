import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct YahooHistoryTests {
  let yahoo = YahooFinanceAdapter()
  let withSession = YahooFinanceAdapter(session: .init(crumb: Secret("CRUMBabc123"), cookie: Secret("A3=d=COOKIEvalue")))

  func response(_ path: String, status: Int = 200, _ query: HistoryQuery) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: [query.symbol], receivedAt: utc("2025-02-19T05:03:55Z"), source: "yahoo")
  }

  @Test func asksTheChartForAWindowWithADayEitherSide() throws {
    let query = historyQuery("BRK-B", from: "2023-01-01", to: "2023-02-01")
    let request = try yahoo.makeHistoryRequest(for: query)
    #expect(
      request.url
        == "https://query2.finance.yahoo.com/v8/finance/chart/BRK-B?period1=\(day("2022-12-31"))&period2=\(day("2023-02-02"))"
        + "&interval=1d&includePrePost=false")
    #expect(request.symbols == [Symbol("BRK-B")])
    let minutes = HistoryQuery(
      symbol: Symbol("^GSPC"), interval: .oneMinute, from: day("2025-02-18"), to: day("2025-02-19"),
      now: epoch("2025-02-19T05:00:00Z"))
    #expect(
      try yahoo.makeHistoryRequest(for: minutes).target
        == "/v8/finance/chart/%5EGSPC?period1=\(day("2025-02-18"))&period2=\(day("2025-02-19"))&interval=1m&includePrePost=false")
    #expect(yahoo.historyIntervals == Set(BarInterval.allCases))
  }

  @Test func refusesIntradayWindowsYahooDoesNotKeep() {
    let now = "2025-02-19T05:00:00Z"
    let old = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneMinute, from: day("2025-01-01"), to: day("2025-01-02"), now: epoch(now))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) { try yahoo.makeHistoryRequest(for: old) }
    let wide = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneMinute, from: day("2025-02-05"), to: day("2025-02-19"), now: epoch(now))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) { try yahoo.makeHistoryRequest(for: wide) }
    let hourly = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneHour, from: day("2023-03-01"), to: day("2023-04-01"), now: epoch(now))
    #expect(throws: Never.self) { try yahoo.makeHistoryRequest(for: hourly) }
    let ancientHours = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneHour, from: day("2022-01-01"), to: day("2022-02-01"), now: epoch(now))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) { try yahoo.makeHistoryRequest(for: ancientHours) }
  }

  @Test func readsDailyBarsByTheExchangeDateSkippingNullRows() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try yahoo.parseHistory(
      try response("yfinance/v8_chart_AAPL_1d_2023-01-03_to_2023-01-10.json", query), for: query)
    expectValid(answer, in: query)
    // 2023-01-09 came as nulls: skipped, not invented.
    #expect(answer.bars.map(\.start) == ["2023-01-03", "2023-01-04", "2023-01-05", "2023-01-06", "2023-01-10"].map(day))
    let first = try #require(answer.bars.first)
    #expect([first.open, first.high, first.low, first.close] == [130.28, 130.9, 124.17, 125.07])
    #expect(first.adjustedClose == 124.22)
    #expect(first.volume == 112_117_500)
    #expect(answer.currency == "USD")
    #expect(answer.exchangeTimeZone == "America/New_York")
    #expect(!answer.isSimulated)
  }

  @Test func theRecordedOneBarChartIsItsSessionDate() throws {
    let query = historyQuery("AAPL", from: "2025-02-01", to: "2025-03-01")
    let answer = try yahoo.parseHistory(try response("yfinance/v8_chart_AAPL_range1d_2025-02-19.json", query), for: query)
    #expect(
      answer.bars == [
        Bar(
          start: day("2025-02-18"), open: 244.15, high: 245.18, low: 241.84, close: 244.47, adjustedClose: 244.47,
          volume: 48_769_700)
      ])
  }

  @Test func readsIntradayBarsAtTheirInstants() throws {
    let query = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneMinute, from: day("2025-02-18"), to: day("2025-02-19"),
      now: epoch("2025-02-19T05:00:00Z"))
    let answer = try yahoo.parseHistory(try response("yfinance/v8_chart_AAPL_1m_2025-02-18.json", query), for: query)
    expectValid(answer, in: query)
    #expect(answer.bars.map(\.start) == [0, 60, 180, 240].map { epoch("2025-02-18T14:30:00Z") + $0 })
    #expect(answer.bars.first?.open == 244.15)
  }

  @Test func datesWeeksAndMonthsByTheirFirstDay() throws {
    let body = """
      {"chart":{"result":[{"meta":{"currency":"USD","exchangeTimezoneName":"America/New_York","priceHint":2},
      "timestamp":[1672635600,1673240400,1673373600],
      "indicators":{"quote":[{"open":[130.28,130.47,130.2],"high":[130.9,134.92,134.9],"low":[124.17,128.12,128.1],
      "close":[129.62,134.76,134.7],"volume":[1,2,3]}]}}],"error":null}}
      """
    let query = historyQuery("AAPL", .oneWeek, from: "2023-01-01", to: "2024-01-01")
    let answer = try yahoo.parseHistory(snapshot(body, symbols: [query.symbol]), for: query)
    // The live week comes twice (Monday 9th, then Tuesday 10th): one bar, the later row.
    #expect(answer.bars.map(\.start) == [day("2023-01-02"), day("2023-01-09")])
    #expect(answer.bars.last?.close == 134.7)
    let months = historyQuery("AAPL", .oneMonth, from: "2023-01-01", to: "2024-01-01")
    let monthly = try yahoo.parseHistory(snapshot(body, symbols: [months.symbol]), for: months)
    #expect(monthly.bars.map(\.start) == [day("2023-01-01")])
  }

  @Test func noTimestampsIsNoBars() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    #expect(try yahoo.parseHistory(try response("yfinance/v8_chart_empty_window.json", query), for: query).bars.isEmpty)
  }

  @Test func errorsByTheirWords() throws {
    let query = historyQuery("ZZZZ", from: "2023-01-01", to: "2023-02-01")
    #expect(throws: ProviderError.unknownSymbol(Symbol("ZZZZ"))) {
      try yahoo.parseHistory(try response("synthetic/yahoo_v8_chart_404_not_found.json", status: 404, query), for: query)
    }
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("ZZZZ"))) {
      try yahoo.parseHistory(try response("yfinance/error_422_chart_1m_range.json", status: 422, query), for: query)
    }
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try yahoo.parseHistory(try response("yfinance/error_429_too_many_requests.txt", status: 429, query), for: query)
    }
    #expect(throws: ProviderError.unauthorized) {
      try yahoo.parseHistory(
        try response("yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json", status: 401, query), for: query)
    }
    #expect(throws: ProviderError.upstreamStatus(404)) {
      try yahoo.parseHistory(
        try response("yfinance/error_404_fc_yahoo_com_cookie_bootstrap.html", status: 404, query), for: query)
    }
    #expect(throws: ProviderError.self) {
      try yahoo.parseHistory(snapshot("<html>consent</html>", symbols: [query.symbol]), for: query)
    }
  }

  // MARK: Profiles

  @Test func profilesNeedASession() throws {
    #expect(!yahoo.servesProfile(of: Symbol("AAPL")))
    #expect(withSession.servesProfile(of: Symbol("AAPL")))
    let request = try withSession.makeProfileRequest(for: [Symbol("0700.HK")])
    #expect(
      request.url
        == "https://query2.finance.yahoo.com/v10/finance/quoteSummary/0700.HK?modules=assetProfile,quoteType,summaryDetail,"
        + "defaultKeyStatistics&formatted=false&crumb=CRUMBabc123")
    #expect(request.header("Cookie") == "A3=d=COOKIEvalue")
    #expect(!request.redactedDescription.contains("CRUMBabc123") && !request.redactedDescription.contains("COOKIEvalue"))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) { try yahoo.makeProfileRequest(for: [Symbol("AAPL")]) }
  }

  @Test func readsTheRecordedQuoteSummary() throws {
    let response = try Fixture.response(
      "yfinance/v10_quoteSummary_AAPL_2025-12-23.json", symbols: [Symbol("AAPL")], receivedAt: utc("2025-12-23T01:44:21Z"),
      source: "yahoo")
    let apple = try profile(try withSession.parseProfiles(response)[Symbol("AAPL")])
    #expect(apple.name == "Apple Inc.")
    #expect(apple.exchange == "NMS")
    #expect(apple.currency == "USD")
    #expect(apple.sector == "Technology")
    #expect(apple.industry == "Consumer Electronics")
    #expect(apple.marketCap == 4_021_300_494_336)
    #expect(apple.sharesOutstanding == 14_776_353_000)
    #expect(apple.country == "United States")
    #expect(apple.website == "https://www.apple.com")
    #expect(apple.description?.hasPrefix("Apple Inc. designs, manufactures") == true)
    #expect((apple.description?.count ?? 0) <= Profile.descriptionLimit + 1)
    #expect(apple.source == "yahoo" && !apple.isSimulated)
    #expect(apple.problem == nil)
  }

  @Test func quoteSummaryErrors() throws {
    let zzzz = Symbol("ZZZZ")
    let notFound = try Fixture.response(
      "yfinance/error_404_quoteSummary_not_found.json", status: 404, symbols: [zzzz], receivedAt: utc("2025-12-23T01:44:21Z"),
      source: "yahoo")
    #expect(profileFailure(try withSession.parseProfiles(notFound)[zzzz]) == .unknownSymbol(zzzz))
    let crumb = try Fixture.response(
      "yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json", status: 401, symbols: [zzzz],
      receivedAt: utc("2025-12-23T01:44:21Z"), source: "yahoo")
    #expect(throws: ProviderError.unauthorized) { try withSession.parseProfiles(crumb) }
    let limited = try Fixture.response(
      "yfinance/error_429_getcrumb_edge_too_many_requests.txt", status: 429, symbols: [zzzz],
      receivedAt: utc("2025-12-23T01:44:21Z"), source: "yahoo")
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try withSession.parseProfiles(limited) }
    let empty = snapshot(#"{"quoteSummary":{"result":[],"error":null}}"#, symbols: [zzzz])
    #expect(profileFailure(try withSession.parseProfiles(empty)[zzzz]) == .unknownSymbol(zzzz))
  }
}
