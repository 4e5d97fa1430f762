import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct FinancialModelingPrepAdapterTests {
  let stable = FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYabcdef123"))
  let legacy = FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYabcdef123"), endpoint: .legacyV3)

  @Test func buildsStableAndLegacyRequests() throws {
    let single = try stable.makeRequest(for: [Symbol("BTC-USD")])
    #expect(single.url == "https://financialmodelingprep.com/stable/quote?symbol=BTCUSD&apikey=FMPKEYabcdef123")
    #expect(!single.redactedDescription.contains("FMPKEYabcdef123"))
    let batch = try legacy.makeRequest(for: [Symbol("AAPL"), Symbol("^GSPC"), Symbol("EURUSD=X")])
    #expect(batch.target == "/api/v3/quote/AAPL,%5EGSPC,EURUSD?apikey=FMPKEYabcdef123")
    #expect(
      batch.redactedDescription
        == "GET https://financialmodelingprep.com/api/v3/quote/AAPL,%5EGSPC,EURUSD?apikey=<redacted> [Accept: application/json]")
    #expect(stable.capabilities.maximumBatchSize == 1)
    #expect(legacy.capabilities.maximumBatchSize == 50)
  }

  @Test func parsesRecordedStableQuote() throws {
    let response = try Fixture.response(
      "fmp/quote_stable_AAPL_2025-09-23T0308Z.json", symbols: [Symbol("AAPL")], receivedAt: utc("2025-09-23T03:08:38Z"),
      source: "fmp")
    let aapl = try quote(try stable.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 256.08)
    #expect(aapl.change == 10.58)
    #expect(aapl.changePercent == 4.3096)  // changePercentage 4.30957, already percent
    #expect(aapl.open == 248.3)
    #expect(aapl.high == 256.63)
    #expect(aapl.low == 248.12)
    #expect(aapl.previousClose == 245.5)
    #expect(aapl.volume == 101_865_199)
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_758_571_201))
  }

  @Test func parsesRecordedLegacyQuoteWithOldPercentSpelling() throws {
    let response = try Fixture.response(
      "fmp/quote_v3_AAPL_2023-11-24.json", symbols: [Symbol("AAPL"), Symbol("ZZZZ")],
      receivedAt: utc("2023-11-24T01:49:03Z"), source: "fmp")
    let results = try legacy.parse(response)
    let aapl = try quote(results[Symbol("AAPL")])
    #expect(aapl.price == 191.31)
    #expect(aapl.change == 0.67)
    #expect(aapl.changePercent == 0.3514)  // changesPercentage
    #expect(aapl.low == 190.825)
    #expect(aapl.asOf == Date(timeIntervalSince1970: 1_700_686_801))
    #expect(failure(results[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  @Test func limitReachIsRateLimited() throws {
    let response = try Fixture.response(
      "fmp/error_429_limit_reach.json", status: 429, headers: [HTTPHeader(name: "Retry-After", value: "12")],
      symbols: [Symbol("AAPL")], receivedAt: utc("2025-04-30T11:41:47Z"), source: "fmp")
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(12))) { try stable.parse(response) }
  }

  @Test func invalidKeyIsUnauthorizedAndPremiumSymbolIsUnsupported() throws {
    let invalidKey = try Fixture.response(
      "synthetic/fmp_401_invalid_api_key.json", status: 401, symbols: [Symbol("AAPL")],
      receivedAt: utc("2025-04-30T11:41:47Z"), source: "fmp")
    #expect(throws: ProviderError.unauthorized) { try stable.parse(invalidKey) }
    let premium = try Fixture.response(
      "synthetic/fmp_402_premium_symbol.json", status: 402, symbols: [Symbol("0700.HK")],
      receivedAt: utc("2025-04-30T11:41:47Z"), source: "fmp")
    #expect(failure(try stable.parse(premium)[Symbol("0700.HK")]) == .unsupportedSymbol(Symbol("0700.HK")))
  }

  /// A key issued after 31 August 2025 may never call `api/v3`: the configuration is wrong,
  /// not the symbol, so the whole provider is unauthorized (a breaker fault the operator sees).
  @Test func legacyEndpointIsUnauthorized() throws {
    let response = try Fixture.response(
      "fmp/error_403_legacy_endpoint.json", status: 403, symbols: [Symbol("AAPL"), Symbol("MSFT")],
      receivedAt: utc("2026-04-14T12:00:00Z"), source: "fmp")
    #expect(throws: ProviderError.unauthorized) { try legacy.parse(response) }
  }

  @Test func exclusiveEndpointIsOutsideThePlanForEverySymbolAsked() throws {
    let response = try Fixture.response(
      "fmp/error_403_exclusive_endpoint.json", status: 403, symbols: [Symbol("AAPL"), Symbol("^GSPC")],
      receivedAt: utc("2026-04-14T12:00:00Z"), source: "fmp")
    let results = try legacy.parse(response)
    #expect(failure(results[Symbol("AAPL")]) == .unsupportedSymbol(Symbol("AAPL")))
    #expect(failure(results[Symbol("^GSPC")]) == .unsupportedSymbol(Symbol("^GSPC")))
  }

  /// The same rate-limit body is a rate limit under any status FMP puts on it.
  @Test func limitReachIsRateLimitedWhateverTheStatus() throws {
    for status in [200, 403, 429] {
      let response = try Fixture.response(
        "fmp/error_429_limit_reach.json", status: status, symbols: [Symbol("AAPL")],
        receivedAt: utc("2025-04-30T11:41:47Z"), source: "fmp")
      #expect(throws: ProviderError.rateLimited(retryAfter: nil), "status \(status)") { try stable.parse(response) }
    }
  }

  @Test func emptyArrayIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "synthetic/fmp_quote_unknown_symbol_empty.json", symbols: [Symbol("ZZZZ")],
      receivedAt: utc("2025-04-30T11:41:47Z"), source: "fmp")
    #expect(failure(try stable.parse(response)[Symbol("ZZZZ")]) == .unknownSymbol(Symbol("ZZZZ")))
  }

  /// A row whose change disagrees with its own price and previous close: the change is
  /// recomputed, and the repair is reported beside the quote.
  @Test func disagreeingChangeIsRepairedAndReported() throws {
    let body =
      #"[{"symbol": "AAPL", "price": 256.08, "change": -10.58, "changePercentage": -4.30957, "previousClose": 245.5, "timestamp": 1758571201}]"#
    let response = snapshot(body, symbols: [Symbol("AAPL")], receivedAt: utc("2025-09-23T03:08:38Z"))
    let normalized = try #require(try stable.parseWithRepairs(response)[Symbol("AAPL")]?.get())
    #expect(normalized.quote.change == 10.58)
    #expect(normalized.quote.changePercent == 4.3096)
    #expect(normalized.repairs.map(\.field) == ["change", "change_percent"])
    #expect(try quote(try stable.parse(response)[Symbol("AAPL")]) == normalized.quote)
  }

  @Test func echoedPairSymbolsMapBackToCanonical() throws {
    let body = #"[{"symbol": "BTCUSD", "price": 98123.12, "changePercentage": -1.5, "timestamp": 1758571201}]"#
    let results = try stable.parse(
      snapshot(body, symbols: [Symbol("BTC-USD")], receivedAt: utc("2025-09-23T00:00:00Z")))
    let btc = try quote(results[Symbol("BTC-USD")])
    #expect(btc.price == 98123.12)
    #expect(btc.changePercent == -1.5)
  }
}
