import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct OpenBBAdapterTests {
  let adapter = OpenBBAdapter(
    origin: "http://127.0.0.1:6900", backend: "fmp",
    credentials: .init(username: "openbb", password: Secret("hunter2-openbb-pw")))
  let received = utc("2026-11-29T00:55:23Z")

  @Test func buildsBatchedQuoteRequestWithBasicAuth() throws {
    let request = try adapter.makeRequest(for: [Symbol("AAPL"), Symbol("MSFT")])
    #expect(request.method == .get)
    #expect(request.path == "/api/v1/equity/price/quote")
    #expect(request.target == "/api/v1/equity/price/quote?symbol=AAPL,MSFT&provider=fmp")
    #expect(request.url == "http://127.0.0.1:6900/api/v1/equity/price/quote?symbol=AAPL,MSFT&provider=fmp")
    let basic = "Basic " + Data("openbb:hunter2-openbb-pw".utf8).base64EncodedString()
    #expect(request.header("authorization") == basic)
    #expect(request.symbols == [Symbol("AAPL"), Symbol("MSFT")])
    #expect(!request.redactedDescription.contains("hunter2"))
    #expect(!request.redactedDescription.contains(Data("openbb:hunter2-openbb-pw".utf8).base64EncodedString()))
    #expect(request.redactedDescription.contains("Authorization: <redacted>"))
  }

  @Test func withoutCredentialsSendsNoAuthorization() throws {
    let request = try OpenBBAdapter().makeRequest(for: [Symbol("AAPL")])
    #expect(request.header("Authorization") == nil)
    #expect(request.origin == "http://127.0.0.1:6900")
  }

  @Test func parsesRecordedFMPBackedQuoteAndConvertsFractionToPercent() throws {
    let response = try Fixture.response(
      "openbb/quote_AAPL_fmp.json", symbols: [Symbol("AAPL")], receivedAt: received, source: "openbb")
    let aapl = try quote(try adapter.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 256.08)
    #expect(aapl.change == 10.58)
    // 0.0430957 as sent: a fraction. Quote holds percent.
    #expect(aapl.changePercent == 4.3096)
    #expect(aapl.open == 248.3)
    #expect(aapl.high == 256.63)
    #expect(aapl.low == 248.12)
    #expect(aapl.previousClose == 245.5)
    #expect(aapl.volume == 101_865_199)
    // The naive "2025-09-22T20:00:01" is UTC: the same instant as FMP's own timestamp 1758571201.
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_758_571_201))
    #expect(aapl.receivedAt == received)
    #expect(aapl.source == "openbb")
    #expect(!aapl.isSimulated)
  }

  @Test func yfinanceBackedRowsGetChangeDerivedAndMissingSymbolsAreUnknown() throws {
    let yfinance = OpenBBAdapter(backend: "yfinance")
    let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("ZZZZ")]
    let request = try yfinance.makeRequest(for: symbols)
    #expect(request.target == "/api/v1/equity/price/quote?symbol=AAPL,MSFT,ZZZZ&provider=yfinance")
    let response = try Fixture.response(
      "synthetic/openbb_quote_yfinance_AAPL_MSFT.json", symbols: symbols, receivedAt: utc("2025-12-22T17:26:03Z"),
      source: "openbb")
    let results = try yfinance.parse(response)
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.price == 271.9168)
    #expect(aapl.previousClose == 273.67)
    #expect(aapl.change == -1.7532)
    // Agrees with Yahoo's own regularMarketChangePercent (-0.64062715) for the same moment.
    #expect(aapl.changePercent == -0.6406)
    #expect(aapl.currency == "USD")
    // No last_timestamp from yfinance: as-of falls back to receipt.
    #expect(aapl.asOf == utc("2025-12-22T17:26:03Z"))
    let msft = try quote(results[Symbol("MSFT")])
    #expect(msft.price == 484.295)  // float32 noise 484.2950134277344 removed
    #expect(msft.change == -1.625)
    #expect(msft.changePercent == -0.3344)
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func validationErrorListIs422() throws {
    let response = try Fixture.response(
      "openbb/quote_missing_symbol.json", status: 422, symbols: [Symbol("AAPL")], receivedAt: received,
      source: "openbb")
    #expect(throws: ProviderError.upstreamStatus(422)) { try adapter.parse(response) }
  }

  @Test func detailErrorsMapByStatusAndMessage() throws {
    let cases: [(String, Int, ProviderError)] = [
      ("synthetic/openbb_401_incorrect_credentials.json", 401, .unauthorized),
      ("synthetic/openbb_400_backend_unauthorized.json", 400, .unauthorized),
      ("synthetic/openbb_500_unexpected_error.json", 500, .upstreamStatus(500)),
    ]
    for (path, status, expected) in cases {
      let response = try Fixture.response(
        path, status: status, symbols: [Symbol("AAPL")], receivedAt: received, source: "openbb")
      #expect(throws: expected, "\(path)") { try adapter.parse(response) }
    }
    let plain400 = snapshot(#"{"detail": "Invalid provider choice"}"#, status: 400, symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(400)) { try adapter.parse(plain400) }
  }

  @Test func noContentMeansEveryRequestedSymbolIsUnknown() throws {
    let symbols = [Symbol("AAPL"), Symbol("ZZZZ")]
    let response = try Fixture.response(
      "synthetic/openbb_204_no_content.txt", status: 204, symbols: symbols, receivedAt: received, source: "openbb")
    #expect(response.body.isEmpty)
    let results = try adapter.parse(response)
    #expect(results.count == 2)
    #expect(failure(results[Symbol("AAPL")]) == .unknownSymbol(Symbol("AAPL")))
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func nonEnvelopeBodyIsMalformed() {
    let response = snapshot(#"{"id": "x", "provider": "fmp"}"#, symbols: [Symbol("AAPL")])
    let error = #expect(throws: ProviderError.self) { try adapter.parse(response) }
    #expect(isMalformed(error))
  }

  @Test func resultsMarkedSimulatedYieldSimulatedQuotesAndOnlyThose() throws {
    // The shape `lianyaohu simulate` serves: OpenBB's fields plus "simulated" per result.
    let body = #"""
      {"id": "0b1c", "results": [
        {"symbol": "AAPL", "last_price": 231.87, "last_timestamp": "2026-01-05T14:30:00", "prev_close": 232.1,
         "change": -0.23, "change_percent": -0.000991, "currency": "USD", "simulated": true},
        {"symbol": "MSFT", "last_price": 508.2, "prev_close": 508.2, "simulated": false},
        {"symbol": "NVDA", "last_price": 181.4, "prev_close": 181.4, "simulated": "yes"}
      ], "provider": "fmp", "warnings": null, "chart": null, "extra": {"simulated": true}}
      """#
    let symbols = [Symbol("AAPL"), Symbol("MSFT"), Symbol("NVDA")]
    let results = try adapter.parse(snapshot(body, symbols: symbols, receivedAt: utc("2026-01-05T14:30:01Z")))
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.isSimulated)
    #expect(aapl.price == 231.87)
    #expect(aapl.changePercent == -0.0991)
    // Only a JSON true counts; anything else is a real quote as far as the adapter can tell.
    #expect(try !quote(results[Symbol("MSFT")]).isSimulated)
    #expect(try !quote(results[Symbol("NVDA")]).isSimulated)
  }

  @Test func capabilitiesDependOnTheBackend() {
    #expect(adapter.capabilities.maximumBatchSize == 20)
    #expect(adapter.providerSymbol(for: Symbol("AAPL")) == "AAPL")
    #expect(adapter.providerSymbol(for: Symbol("BTC-USD")) == nil)
    #expect(adapter.providerSymbol(for: Symbol("0700.HK")) == nil)
    let yfinance = OpenBBAdapter(backend: "yfinance")
    #expect(yfinance.providerSymbol(for: Symbol("BTC-USD")) == "BTC-USD")
    #expect(yfinance.providerSymbol(for: Symbol("^VIX")) == "^VIX")
  }
}
