import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct FinnhubAdapterTests {
  let adapter = FinnhubAdapter(token: Secret("fh-token-9876543210"))

  @Test func tokenGoesInAHeaderNotTheURL() throws {
    let request = try adapter.makeRequest(for: [Symbol("BRK-B")])
    #expect(request.url == "https://finnhub.io/api/v1/quote?symbol=BRK.B")
    #expect(request.header("X-Finnhub-Token") == "fh-token-9876543210")
    #expect(!request.redactedDescription.contains("fh-token-9876543210"))
    #expect(request.redactedDescription.contains("X-Finnhub-Token: <redacted>"))
  }

  @Test func parsesRecordedModernQuote() throws {
    let response = try Fixture.response(
      "finnhub/quote_AAPL_2023-09-29.json", symbols: [Symbol("AAPL")], receivedAt: utc("2023-09-29T20:01:00Z"),
      source: "finnhub")
    let aapl = try quote(try adapter.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 171.21)
    #expect(aapl.change == 0.52)
    #expect(aapl.changePercent == 0.3046)
    #expect(aapl.open == 172.02)
    #expect(aapl.high == 173.07)
    #expect(aapl.low == 170.341)
    #expect(aapl.previousClose == 170.69)
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_696_017_601))
  }

  @Test func derivesChangeWhenThe2020ShapeLacksIt() throws {
    let response = try Fixture.response(
      "finnhub/quote_RUBI_2020-03-27.json", symbols: [Symbol("RUBI")], receivedAt: utc("2020-03-27T09:00:00Z"),
      source: "finnhub")
    let rubi = try quote(try adapter.parse(response)[Symbol("RUBI")])
    #expect(rubi.price == 6.06)
    #expect(rubi.change == 0.31)
    #expect(rubi.changePercent == 5.3913)
    #expect(rubi.asOf == Date(timeIntervalSince1970: 1_585_296_696))
  }

  @Test func allZeroBodyIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "synthetic/finnhub_quote_unknown_symbol_all_zero.json", symbols: [Symbol("ZZZZ")],
      receivedAt: utc("2023-09-29T20:01:00Z"), source: "finnhub")
    #expect(failure(try adapter.parse(response)[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func plainTextLimitIsRateLimited() throws {
    let response = try Fixture.response(
      "finnhub/error_429_try_again_later.txt", status: 429, symbols: [Symbol("SPY")],
      receivedAt: utc("2020-04-09T12:00:00Z"), source: "finnhub")
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try adapter.parse(response) }
    var withDate = response
    withDate.headers = [HTTPHeader(name: "Retry-After", value: "Thu, 09 Apr 2020 12:01:00 GMT")]
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(60))) { try adapter.parse(withDate) }
  }

  /// The recorded 429 came to a request whose token was sent under the wrong name: its text
  /// asks to sign up, which is what a missing token means, whatever the status says.
  @Test func limitTextThatAsksToSignUpIsAMissingToken() throws {
    let response = try Fixture.response(
      "finnhub/error_429_api_limit_reached.txt", status: 429, symbols: [Symbol("SPY")],
      receivedAt: utc("2020-04-09T12:00:00Z"), source: "finnhub")
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(response) }
  }

  @Test func invalidKeyIsUnauthorized() throws {
    let response = try Fixture.response(
      "synthetic/finnhub_401_invalid_api_key.json", status: 401, symbols: [Symbol("AAPL")],
      receivedAt: utc("2023-09-29T20:01:00Z"), source: "finnhub")
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(response) }
  }

  /// A premium resource or a symbol the plan lacks: unsupported here, not a bad token.
  @Test func planLimitsAreUnsupportedSymbolsWhateverTheStatus() throws {
    for (path, status) in [
      ("finnhub/error_403_no_access.json", 403), ("finnhub/error_403_no_access.json", 200),
      ("finnhub/error_symbol_not_supported.json", 200),
    ] {
      let response = try Fixture.response(
        path, status: status, symbols: [Symbol("SPY")], receivedAt: utc("2023-09-29T20:01:00Z"), source: "finnhub")
      #expect(failure(try adapter.parse(response)[Symbol("SPY")]) == .unsupportedSymbol(Symbol("SPY")), "\(path)")
    }
  }

  @Test func declaresOnlyUSEquities() {
    #expect(adapter.providerSymbol(for: Symbol("AAPL")) == "AAPL")
    #expect(adapter.providerSymbol(for: Symbol("BTC-USD")) == nil)
    #expect(adapter.providerSymbol(for: Symbol("EURUSD=X")) == nil)
    #expect(adapter.providerSymbol(for: Symbol("0700.HK")) == nil)
    #expect(!adapter.capabilities.canServe(Symbol("BTC-USD")))
  }
}
