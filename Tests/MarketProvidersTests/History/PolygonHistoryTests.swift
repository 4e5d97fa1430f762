import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct PolygonHistoryTests {
  let polygon = PolygonAdapter(apiKey: Secret("PGKEY9876543210"))

  func response(_ path: String, status: Int = 200, _ symbol: Symbol) throws -> HTTPResponseSnapshot {
    try Fixture.response(path, status: status, symbols: [symbol], receivedAt: utc("2024-06-27T10:14:46Z"), source: "polygon")
  }

  @Test func asksAggregatesByDateOrMillisecond() throws {
    let daily = try polygon.makeHistoryRequest(for: historyQuery("BRK-B", from: "2023-01-01", to: "2023-02-01"))
    #expect(
      daily.url
        == "https://api.polygon.io/v2/aggs/ticker/BRK.B/range/1/day/2023-01-01/2023-01-31?adjusted=true&sort=asc&limit=50000"
        + "&apiKey=PGKEY9876543210")
    let hourly = try polygon.makeHistoryRequest(
      for: historyQuery("BTC-USD", .oneHour, from: "2024-01-01", to: "2024-01-02", now: "2024-01-02T00:00:00Z"))
    #expect(hourly.path == "/v2/aggs/ticker/X:BTCUSD/range/1/hour/1704067200000/1704153599999")
    let weekly = try polygon.makeHistoryRequest(for: historyQuery("^GSPC", .oneWeek, from: "2023-01-01", to: "2024-01-01"))
    #expect(weekly.path == "/v2/aggs/ticker/I:SPX/range/1/week/2022-12-26/2023-12-31")
    let bearer = PolygonAdapter(apiKey: Secret("PGKEY9876543210"), endpoint: .lastTrade, authentication: .bearerHeader)
    // Aggregates serve indices whichever quote endpoint is configured.
    let index = try bearer.makeHistoryRequest(for: historyQuery("^VIX", from: "2023-01-01", to: "2023-02-01"))
    #expect(index.header("Authorization") == "Bearer PGKEY9876543210")
    #expect(!index.target.contains("apiKey"))
    #expect(!polygon.servesHistory(of: Symbol("VOD.L")) && !polygon.servesHistory(of: Symbol("GC=F")))
  }

  @Test func refusesAWindowLongerThanOnePage() {
    let minutes = HistoryQuery(
      symbol: Symbol("AAPL"), interval: .oneMinute, from: day("2023-01-01"), to: day("2023-03-01"),
      now: epoch("2023-03-01T00:00:00Z"))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("AAPL"))) { try polygon.makeHistoryRequest(for: minutes) }
  }

  @Test func datesDailyBarsByNewYorkMidnight() throws {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let answer = try polygon.parseHistory(
      try response("polygon/aggs_AAPL_1_day_2023-01-01_2023-01-10.json", query.symbol), for: query)
    expectValid(answer, in: query)
    #expect(
      answer.bars.map(\.start) == ["2023-01-03", "2023-01-04", "2023-01-05", "2023-01-06", "2023-01-09", "2023-01-10"].map(day))
    #expect(
      answer.bars.first
        == Bar(start: day("2023-01-03"), open: 130.28, high: 130.9, low: 124.17, close: 125.07, volume: 112_117_471))
    #expect(answer.bars[1].high == 128.6557)
  }

  @Test func readsIntradayInstantsFromMilliseconds() throws {
    let query = historyQuery("BTC-USD", .oneHour, from: "2024-01-01", to: "2024-01-02", now: "2024-01-02T00:00:00Z")
    let answer = try polygon.parseHistory(try response("polygon/aggs_X_BTCUSD_1_hour_2024-01-01.json", query.symbol), for: query)
    #expect(answer.bars.map(\.start) == [0, 3_600, 7_200].map { day("2024-01-01") + $0 })
    #expect(answer.bars.first?.volume == 1271.68108)
  }

  @Test func emptyTruncatedAndFailedAnswers() throws {
    let aapl = Symbol("AAPL")
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    #expect(try polygon.parseHistory(try response("polygon/aggs_empty_resultsCount_0.json", aapl), for: query).bars.isEmpty)
    let cases: [(String, Int, ProviderError)] = [
      ("polygon/aggs_AAPL_next_url_truncated.json", 200, .unsupportedSymbol(aapl)),
      ("polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json", 403, .unsupportedSymbol(aapl)),
      ("synthetic/polygon_401_unknown_api_key.json", 401, .unauthorized),
      ("polygon/error_401_api_key_not_provided.json", 401, .unauthorized),
      ("synthetic/polygon_429_max_requests.json", 429, .rateLimited(retryAfter: nil)),
      ("polygon/error_404_ticker_not_found.json", 404, .unknownSymbol(aapl)),
    ]
    for (path, status, expected) in cases {
      #expect(throws: expected, "\(path)") { try polygon.parseHistory(try response(path, status: status, aapl), for: query) }
    }
  }

  @Test func readsTickerDetails() throws {
    let aapl = Symbol("AAPL")
    #expect(
      try polygon.makeProfileRequest(for: [aapl]).url == "https://api.polygon.io/v3/reference/tickers/AAPL?apiKey=PGKEY9876543210"
    )
    let apple = try profile(try polygon.parseProfiles(try response("polygon/ticker_details_AAPL.json", aapl))[aapl])
    #expect(apple.name == "Apple Inc.")
    #expect(apple.exchange == "XNAS")
    #expect(apple.currency == "USD")
    #expect(apple.industry == "ELECTRONIC COMPUTERS")
    #expect(apple.sector == nil)
    #expect(apple.marketCap == 2_771_126_040_150)
    #expect(apple.sharesOutstanding == 16_406_400_000)
    #expect(apple.country == "US")
    #expect(apple.website == "https://www.apple.com")
    let zzzz = Symbol("ZZZZ")
    #expect(
      profileFailure(try polygon.parseProfiles(try response("polygon/error_404_ticker_not_found.json", status: 404, zzzz))[zzzz])
        == .unknownSymbol(zzzz))
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) {
      try polygon.parseProfiles(try response("synthetic/polygon_429_max_requests.json", status: 429, zzzz))
    }
    #expect(!polygon.servesProfile(of: Symbol("BTC-USD")))
  }

  @Test func tickerDetailsFailures() throws {
    let zzzz = Symbol("ZZZZ")
    // Details that name nothing: Polygon knows the ticker but not the company.
    let bare = snapshot(#"{"results": {"ticker": "ZZZZ", "active": false}, "status": "OK"}"#, symbols: [zzzz])
    #expect(profileFailure(try polygon.parseProfiles(bare)[zzzz]) == .unknownSymbol(zzzz))
    let plan = try response("polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json", status: 403, zzzz)
    #expect(profileFailure(try polygon.parseProfiles(plan)[zzzz]) == .unsupportedSymbol(zzzz))
    #expect(throws: ProviderError.unauthorized) {
      try polygon.parseProfiles(try response("synthetic/polygon_401_unknown_api_key.json", status: 401, zzzz))
    }
    let shapeless = try providerErrorOf { try polygon.parseProfiles(snapshot(#"{"status": "OK"}"#, symbols: [zzzz])) }
    #expect(isMalformed(shapeless))
  }
}
