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

  @Test func errorMessagesAreRequestErrors() throws {
    let invalidCall = try Fixture.response(
      "synthetic/alpha_vantage_error_message_invalid_call.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(throws: ProviderError.upstreamStatus(400)) { try adapter.parse(invalidCall) }
    let invalidKey = try Fixture.response(
      "synthetic/alpha_vantage_error_message_invalid_apikey.json", symbols: [Symbol("MSFT")], receivedAt: received,
      source: "alpha-vantage")
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(invalidKey) }
  }

  @Test func limitMessagesAreClassifiedByTheirWindow() {
    #expect(
      AlphaVantageAdapter.limitError(
        "Please consider spreading out your free API requests more sparingly (1 request per second).")
        == .rateLimited(retryAfter: nil))
    #expect(
      AlphaVantageAdapter.limitError(
        "The **demo** API key is for demo purposes only. Please claim your free API key at (https://www.alphavantage.co/support/#api-key)"
      )
        == .unauthorized)
    #expect(
      AlphaVantageAdapter.limitError("Thank you for using Alpha Vantage! This is a premium endpoint.") == .unauthorized)
  }

  @Test func mapsExchangeSuffixesAndDeclinesTheRest() {
    #expect(adapter.providerSymbol(for: Symbol("600519.SS")) == "600519.SHH")
    #expect(adapter.providerSymbol(for: Symbol("VOD.L")) == "VOD.LON")
    #expect(adapter.providerSymbol(for: Symbol("EURUSD=X")) == "EUR/USD")
    #expect(adapter.providerSymbol(for: Symbol("0700.HK")) == nil)
    #expect(adapter.providerSymbol(for: Symbol("^VIX")) == nil)
    #expect(!adapter.canServe(Symbol("0700.HK")))
  }
}
