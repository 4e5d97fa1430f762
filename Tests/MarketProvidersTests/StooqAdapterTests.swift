import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct StooqAdapterTests {
  let adapter = StooqAdapter()

  @Test func buildsTheDocumentedLightQuoteURL() throws {
    let request = try adapter.makeRequest(for: [Symbol("AAPL")])
    #expect(request.url == "https://stooq.com/q/l/?s=aapl.us&f=sd2t2ohlcv&h&e=csv")
    #expect(request.redactedDescription == "GET https://stooq.com/q/l/?s=aapl.us&f=sd2t2ohlcv&h&e=csv [Accept: text/csv]")
  }

  @Test func parsesRecordedCSVAndConvertsWarsawWinterTimeToUTC() throws {
    let response = try Fixture.response(
      "stooq/quote_AAPL.US_2022-12-09.csv", symbols: [Symbol("AAPL")], receivedAt: utc("2022-12-09T21:05:00Z"),
      source: "stooq")
    let aapl = try quote(try adapter.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 142.16)
    #expect(aapl.open == 142.34)
    #expect(aapl.high == 145.57)
    #expect(aapl.low == 140.9)
    #expect(aapl.volume == 76_097_011)
    #expect(aapl.change == nil)
    // 22:00:03 CET (UTC+1) is 16:00:03 in New York: the close.
    #expect(aapl.asOf == utc("2022-12-09T21:00:03Z"))
  }

  @Test func summerTimeIsCEST() throws {
    let body =
      "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2023-07-03,19:00:05,193.78,193.88,191.76,192.46,31458198\r\n"
    let aapl = try quote(
      try adapter.parse(snapshot(body, symbols: [Symbol("AAPL")], receivedAt: utc("2023-07-03T18:00:00Z")))[
        Symbol("AAPL")])
    #expect(aapl.asOf == utc("2023-07-03T17:00:05Z"))
  }

  @Test func recordedNDRowIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "stooq/quote_unknown_symbol_N-D.csv", symbols: [Symbol("APPL")], receivedAt: utc("2022-12-09T21:05:00Z"),
      source: "stooq")
    #expect(adapter.providerSymbol(for: Symbol("APPL")) == "appl.us")
    #expect(failure(try adapter.parse(response)[Symbol("APPL")]) == .unknownSymbol(Symbol("APPL")))
  }

  @Test func htmlWithStatus200IsMalformed() throws {
    let response = try Fixture.response(
      "stooq/html_200_page.html", symbols: [Symbol("AAPL")], receivedAt: utc("2022-12-09T21:05:00Z"), source: "stooq")
    let error = #expect(throws: ProviderError.self) { try adapter.parse(response) }
    #expect(isMalformed(error))
    expectSafe(error, hiding: "never-a-key")
  }

  @Test func dailyHitsLimitIsQuotaExhausted() throws {
    let response = try Fixture.response(
      "stooq/error_daily_hits_limit.txt", symbols: [Symbol("AAPL")], receivedAt: utc("2022-12-09T21:05:00Z"),
      source: "stooq")
    #expect(throws: ProviderError.quotaExhausted) { try adapter.parse(response) }
  }

  @Test func mapsSymbols() {
    #expect(adapter.providerSymbol(for: Symbol("BRK-B")) == "brk-b.us")
    #expect(adapter.providerSymbol(for: Symbol("EURUSD=X")) == "eurusd")
    #expect(adapter.providerSymbol(for: Symbol("VOD.L")) == "vod.uk")
    #expect(adapter.providerSymbol(for: Symbol("7203.T")) == "7203.jp")
    #expect(adapter.providerSymbol(for: Symbol("0700.HK")) == "0700.hk")
    #expect(adapter.providerSymbol(for: Symbol("BTC-USD")) == "btcusd")
    #expect(adapter.providerSymbol(for: Symbol("^GSPC")) == "^spx")
    #expect(adapter.providerSymbol(for: Symbol("^VIX")) == "^vix")
    #expect(adapter.providerSymbol(for: Symbol("GC=F")) == "gc.f")
    // No rule: asked as it is; Stooq answers N/D if it has nothing.
    #expect(adapter.providerSymbol(for: Symbol("ASML.AS")) == "asml.as")
  }

  @Test func theAnswerForAnIndexMapsBackToTheCanonicalSymbol() throws {
    let body = "Symbol,Date,Time,Open,High,Low,Close,Volume\r\n^SPX,2023-07-03,19:00:05,4450.48,4456.46,4442.29,4455.59,0\r\n"
    let spx = try quote(
      try adapter.parse(snapshot(body, symbols: [Symbol("^GSPC")], receivedAt: utc("2023-07-03T18:00:00Z")))[
        Symbol("^GSPC")])
    #expect(spx.price == 4455.59)
  }
}
