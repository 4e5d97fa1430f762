import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct AlphaVantageAdapterTests {
  let adapter = AlphaVantageAdapter(apiKey: Secret("AVKEY0123456789"))
  let received = utc("2018-10-06T09:00:00Z")

  @Test func globalQuoteRequestCarriesTheKeyOnlyInTheURL() throws {
    let request = try adapter.makeRequest(for: [Symbol("MSFT")])
    #expect(request.url == "https://www.alphavantage.co/query?function=GLOBAL_QUOTE&symbol=MSFT&apikey=AVKEY0123456789")
    #expect(request.redactedDescription.contains("apikey=<redacted>"))
    #expect(!request.redactedDescription.contains("AVKEY0123456789"))
    #expect(!"\(request)".contains("AVKEY0123456789"))
    #expect(!String(reflecting: request).contains("AVKEY0123456789"))
    #expect(!"\(adapter)".contains("AVKEY0123456789"))
  }

  @Test func pairsUseCurrencyExchangeRate() throws {
    let crypto = try adapter.makeRequest(for: [Symbol("BTC-CNY")])
    #expect(crypto.target.hasPrefix("/query?function=CURRENCY_EXCHANGE_RATE&from_currency=BTC&to_currency=CNY&apikey="))
    let forex = try adapter.makeRequest(for: [Symbol("JPY=X")])
    #expect(forex.target.hasPrefix("/query?function=CURRENCY_EXCHANGE_RATE&from_currency=USD&to_currency=JPY&"))
  }

  @Test func parsesRecordedGlobalQuoteWithStringNumbers() throws {
    let response = try Fixture.response(
      "alpha_vantage/global_quote_MSFT_2018-10-05.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    let msft = try quote(try adapter.parse(response)[Symbol("MSFT")])
    #expect(msft.price == 112.13)
    #expect(msft.open == 112.63)
    #expect(msft.high == 113.17)
    #expect(msft.low == 110.64)
    #expect(msft.previousClose == 112.79)
    #expect(msft.change == -0.66)
    #expect(msft.changePercent == -0.5852)  // "-0.5852%"
    #expect(msft.volume == 29_062_853)
    // Only the trading day is given: its 16:00 New York close (EDT), in UTC.
    #expect(msft.asOf == utc("2018-10-05T20:00:00Z"))
  }

  @Test func asOfNeverPrecedesReceiptDuringTheSession() throws {
    let during = utc("2018-10-05T15:00:00Z")
    let response = try Fixture.response(
      "alpha_vantage/global_quote_MSFT_2018-10-05.json", symbols: [Symbol("MSFT")], receivedAt: during,
      source: "alpha-vantage")
    #expect(try quote(try adapter.parse(response)[Symbol("MSFT")]).asOf == during)
  }

  @Test func parsesRecordedCryptoExchangeRate() throws {
    let response = try Fixture.response(
      "alpha_vantage/currency_exchange_rate_BTC_CNY_2017-12-20.json", symbols: [Symbol("BTC-CNY")],
      receivedAt: utc("2017-12-20T19:24:00Z"), source: "alpha-vantage")
    let rate = try quote(try adapter.parse(response)[Symbol("BTC-CNY")])
    #expect(rate.price == 109_631.430607)
    #expect(rate.currency == "CNY")
    #expect(rate.asOf == utc("2017-12-20T19:23:21Z"))
    #expect(rate.change == nil)
  }

  @Test func emptyGlobalQuoteIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "synthetic/alpha_vantage_global_quote_unknown_symbol.json", symbols: [Symbol("ZZZZ")], receivedAt: received,
      source: "alpha-vantage")
    #expect(failure(try adapter.parse(response)[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func perMinuteNoteIsRateLimited() throws {
    let response = try Fixture.response(
      "alpha_vantage/error_note_rate_limit_2018.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try adapter.parse(response) }
  }

  @Test func dailyLimitInformationIsQuotaExhausted() throws {
    let response = try Fixture.response(
      "synthetic/alpha_vantage_information_daily_limit.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(throws: ProviderError.quotaExhausted) { try adapter.parse(response) }
  }

  /// Our requests are always well formed, so "Invalid API call" is Alpha Vantage not
  /// knowing the symbol (as it says for unavailable listings and currencies).
  @Test func errorMessagesAreUnknownSymbolsOrABadKey() throws {
    let invalidCall = try Fixture.response(
      "synthetic/alpha_vantage_error_message_invalid_call.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(failure(try adapter.parse(invalidCall)[Symbol("MSFT")]) == .unknownSymbol(Symbol("MSFT")))
    let invalidCurrency = try Fixture.response(
      "alpha_vantage/error_message_invalid_call_currency.json", symbols: [Symbol("XYZ-USD")], receivedAt: received,
      source: "alpha-vantage")
    #expect(failure(try adapter.parse(invalidCurrency)[Symbol("XYZ-USD")]) == .unknownSymbol(Symbol("XYZ-USD")))
    let invalidKey = try Fixture.response(
      "synthetic/alpha_vantage_error_message_invalid_apikey.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(invalidKey) }
  }

  @Test func informationNoticesAreClassifiedByTheirWords() throws {
    let cases: [(String, ProviderError)] = [
      ("alpha_vantage/information_burst_per_second.json", .rateLimited(retryAfter: nil)),
      ("alpha_vantage/information_demo_key.json", .unauthorized),
    ]
    for (path, expected) in cases {
      let response = try Fixture.response(path, symbols: [Symbol("MSFT")], receivedAt: received, source: "alpha-vantage")
      #expect(throws: expected, "\(path)") { try adapter.parse(response) }
    }
    // A premium endpoint is the plan's limit, for this symbol: not the key's fault.
    let premium = try Fixture.response(
      "alpha_vantage/information_premium_endpoint.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(failure(try adapter.parse(premium)[Symbol("MSFT")]) == .unsupportedSymbol(Symbol("MSFT")))
    // Wording Alpha Vantage has not used before, under its limit keys, is still a limit.
    let novel = snapshot(#"{"Information": "Something new about your usage."}"#, symbols: [Symbol("MSFT")])
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try adapter.parse(novel) }
  }

  @Test func mapsItsOwnSuffixesAndPassesTheRestThrough() throws {
    #expect(adapter.providerSymbol(for: Symbol("600519.SS")) == "600519.SHH")
    #expect(adapter.providerSymbol(for: Symbol("000002.SZ")) == "000002.SHZ")
    #expect(adapter.providerSymbol(for: Symbol("VOD.L")) == "VOD.LON")
    #expect(adapter.providerSymbol(for: Symbol("SHOP.TO")) == "SHOP.TRT")
    #expect(adapter.providerSymbol(for: Symbol("MBG.DE")) == "MBG.DEX")
    #expect(adapter.providerSymbol(for: Symbol("RELIANCE.BO")) == "RELIANCE.BSE")
    #expect(adapter.providerSymbol(for: Symbol("EURUSD=X")) == "EUR/USD")
    #expect(adapter.providerSymbol(for: Symbol("BTC-USD")) == "BTC/USD")
    // No rule: GLOBAL_QUOTE is asked as it is (it serves IWDA.AS, C40.PAR and many more).
    #expect(adapter.providerSymbol(for: Symbol("ASML.AS")) == "ASML.AS")
    #expect(adapter.providerSymbol(for: Symbol("0700.HK")) == "0700.HK")
    #expect(adapter.canServe(Symbol("ASML.AS")))
    let request = try adapter.makeRequest(for: [Symbol("ASML.AS")])
    #expect(request.target.hasPrefix("/query?function=GLOBAL_QUOTE&symbol=ASML.AS&apikey="))
    // Documented as absent: indices (Alpha Vantage support), futures (no such category).
    #expect(adapter.providerSymbol(for: Symbol("^VIX")) == nil)
    #expect(adapter.providerSymbol(for: Symbol("GC=F")) == nil)
  }

  @Test func aPassedThroughListingIsDatedByItsExchangeClose() throws {
    let body = #"""
      {"Global Quote": {"01. symbol": "ASML.AS", "02. open": "702.1000", "03. high": "711.0000", "04. low": "699.5000",
      "05. price": "708.4000", "06. volume": "512345", "07. latest trading day": "2025-06-20",
      "08. previous close": "700.0000", "09. change": "8.4000", "10. change percent": "1.2000%"}}
      """#
    let asml = try quote(
      try adapter.parse(snapshot(body, symbols: [Symbol("ASML.AS")], receivedAt: utc("2025-06-21T08:00:00Z")))[
        Symbol("ASML.AS")])
    #expect(asml.price == 708.4)
    // 17:30 in Amsterdam (CEST, UTC+2).
    #expect(asml.asOf == utc("2025-06-20T15:30:00Z"))
  }
}
