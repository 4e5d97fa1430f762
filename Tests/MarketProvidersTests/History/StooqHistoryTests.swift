import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct StooqHistoryTests {
  let stooq = StooqAdapter()

  func response(_ path: String, status: Int = 200, _ query: HistoryQuery) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: [query.symbol], receivedAt: utc("2023-01-11T00:00:00Z"), source: "stooq")
  }

  @Test func asksTheCSVDownloadByDateAndSize() throws {
    let daily = try stooq.makeHistoryRequest(for: historyQuery("VOD.L", from: "2023-01-01", to: "2023-02-01"))
    #expect(daily.url == "https://stooq.com/q/d/l/?s=vod.uk&d1=20230101&d2=20230131&i=d")
    let weekly = try stooq.makeHistoryRequest(for: historyQuery("^GSPC", .oneWeek, from: "2023-01-01", to: "2024-01-01"))
    #expect(weekly.target == "/q/d/l/?s=%5Espx&d1=20221226&d2=20231231&i=w")
    let monthly = try stooq.makeHistoryRequest(for: historyQuery("EURUSD=X", .oneMonth, from: "2023-01-01", to: "2024-01-01"))
    #expect(monthly.target == "/q/d/l/?s=eurusd&d1=20230101&d2=20231231&i=m")
    let keyed = StooqAdapter(apiKey: Secret("STOOQKEY42"))
    let withKey = try keyed.makeHistoryRequest(for: historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"))
    #expect(withKey.target.hasSuffix("&i=d&apikey=STOOQKEY42"))
    #expect(!withKey.redactedDescription.contains("STOOQKEY42"))
    #expect(stooq.historyIntervals == [.oneDay, .oneWeek, .oneMonth])
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) {
      try stooq.makeHistoryRequest(for: historyQuery("AAPL", .oneHour, from: "2023-01-01", to: "2023-02-01"))
    }
  }

  @Test func readsDailyRows() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try stooq.parseHistory(
      try response("stooq/history_daily_AAPL.US_2023-01-03_to_2023-01-10.csv", query), for: query)
    expectValid(answer, in: query)
    #expect(answer.bars.count == 6)
    #expect(
      answer.bars.first
        == Bar(start: day("2023-01-03"), open: 130.28, high: 130.9, low: 124.17, close: 125.07, volume: 112_117_471))
    #expect(answer.bars[1].high == 128.6557)
  }

  @Test func redatesWeeksToTheirMonday() throws {
    let query = historyQuery("AAPL", .oneWeek, from: "2023-01-01", to: "2024-01-01")
    let answer = try stooq.parseHistory(try response("stooq/history_weekly_AAPL.US_2023-01.csv", query), for: query)
    #expect(answer.bars.map(\.start) == [day("2023-01-02"), day("2023-01-09")])
    #expect(answer.bars.last?.close == 134.76)
  }

  @Test func noDataIsNoBarsAndTheOtherAnswersAreErrors() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    #expect(try stooq.parseHistory(try response("stooq/history_no_data.txt", query), for: query).bars.isEmpty)
    #expect(throws: ProviderError.quotaExhausted) {
      try stooq.parseHistory(try response("stooq/error_daily_hits_limit.txt", query), for: query)
    }
    #expect(throws: ProviderError.unauthorized) {
      try stooq.parseHistory(try response("stooq/html_200_apikey_required.html", query), for: query)
    }
    let page = try providerErrorOf { try stooq.parseHistory(try response("stooq/html_200_page.html", query), for: query) }
    #expect(isMalformed(page))
    // An edge in front of Stooq limiting the rate: its wait is honoured.
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(120))) {
      try stooq.parseHistory(
        snapshot(
          "Too Many Requests", status: 429, headers: [HTTPHeader(name: "Retry-After", value: "120")], symbols: [query.symbol]),
        for: query)
    }
    #expect(throws: ProviderError.upstreamStatus(503)) {
      try stooq.parseHistory(snapshot("busy", status: 503, symbols: [query.symbol]), for: query)
    }
    let ragged = try providerErrorOf {
      try stooq.parseHistory(snapshot("Date,Open,High,Low,Close\r\n2023-01-03,1,2\r\n", symbols: [query.symbol]), for: query)
    }
    #expect(isMalformed(ragged))
  }
}

/// The error a synchronous call threw, or nil (recording an issue) when it did not throw.
func providerErrorOf(sourceLocation: SourceLocation = #_sourceLocation, _ call: () throws -> some Any) throws -> ProviderError? {
  do {
    _ = try call()
    Issue.record("expected the call to fail", sourceLocation: sourceLocation)
    return nil
  } catch let error as ProviderError {
    return error
  }
}
