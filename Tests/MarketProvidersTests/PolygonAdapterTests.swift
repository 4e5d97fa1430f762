import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct PolygonAdapterTests {
  let previousClose = PolygonAdapter(apiKey: Secret("PGkey_ABCDEFGHIJ"))
  let lastTrade = PolygonAdapter(apiKey: Secret("PGkey_ABCDEFGHIJ"), endpoint: .lastTrade, authentication: .bearerHeader)

  @Test func buildsRequestsWithQueryKeyOrBearer() throws {
    let crypto = try previousClose.makeRequest(for: [Symbol("BTC-USD")])
    #expect(crypto.url == "https://api.polygon.io/v2/aggs/ticker/X:BTCUSD/prev?adjusted=true&apiKey=PGkey_ABCDEFGHIJ")
    #expect(!crypto.redactedDescription.contains("PGkey_ABCDEFGHIJ"))
    let forex = try previousClose.makeRequest(for: [Symbol("EURUSD=X")])
    #expect(forex.path == "/v2/aggs/ticker/C:EURUSD/prev")
    let trade = try lastTrade.makeRequest(for: [Symbol("BRK-B")])
    #expect(trade.url == "https://api.polygon.io/v2/last/trade/BRK.B")
    #expect(trade.header("Authorization") == "Bearer PGkey_ABCDEFGHIJ")
    #expect(!trade.redactedDescription.contains("PGkey_ABCDEFGHIJ"))
  }

  @Test func parsesPreviousCloseWithMillisecondTimes() throws {
    let response = try Fixture.response(
      "synthetic/polygon_prev_close_AAPL_2023-01-09.json", symbols: [Symbol("AAPL")],
      receivedAt: utc("2023-01-10T14:00:00Z"), source: "polygon")
    let aapl = try quote(try previousClose.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 130.15)
    #expect(aapl.open == 130.47)
    #expect(aapl.high == 133.41)
    #expect(aapl.low == 129.89)
    #expect(aapl.volume == 70_790_813)
    #expect(aapl.asOf == utc("2023-01-09T21:00:00Z"))
  }

  @Test func delayedStatusWithDataIsData() throws {
    let response = try Fixture.response(
      "synthetic/polygon_prev_close_X_BTCUSD_delayed.json", symbols: [Symbol("BTC-USD")],
      receivedAt: utc("2023-01-10T14:00:00Z"), source: "polygon")
    let btc = try quote(try previousClose.parse(response)[Symbol("BTC-USD")])
    #expect(btc.price == 17_190.59)
    #expect(btc.asOf == utc("2023-01-09T00:00:00Z"))
  }

  @Test func parsesLastTradeNanosecondsWithoutLosingThem() throws {
    let response = try Fixture.response(
      "synthetic/polygon_last_trade_AAPL.json", symbols: [Symbol("AAPL")], receivedAt: utc("2023-01-10T21:00:01Z"),
      source: "polygon")
    let aapl = try quote(try lastTrade.parse(response)[Symbol("AAPL")])
    #expect(aapl.price == 130.73)
    // 1673384400123456789 ns; a Double read of the integer would be off by up to 128 ns,
    // and Date keeps about a microsecond here, so compare at that precision.
    #expect(abs(aapl.asOf.timeIntervalSince1970 - 1_673_384_400.123_456_789) < 1e-6)
  }

  @Test func unknownTickerIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "synthetic/polygon_prev_close_unknown_ticker.json", symbols: [Symbol("ZZZZQ")],
      receivedAt: utc("2023-01-10T14:00:00Z"), source: "polygon")
    #expect(failure(try previousClose.parse(response)[Symbol("ZZZZQ")]) == .unknownSymbol(Symbol("ZZZZQ")))
    let notFound = snapshot(
      #"{"status": "NOT_FOUND", "request_id": "r1", "message": "Data not found."}"#, status: 404,
      symbols: [Symbol("ZZZZQ")])
    #expect(failure(try lastTrade.parse(notFound)[Symbol("ZZZZQ")]) == .unknownSymbol(Symbol("ZZZZQ")))
  }

  /// The plan does not include the ticker: unsupported here (not the provider's fault, not
  /// a bad key), whatever the status.
  @Test func notAuthorizedBodyIsAPlanLimitWhateverTheStatus() throws {
    for status in [200, 400, 403] {
      let response = try Fixture.response(
        "polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json", status: status, symbols: [Symbol("^GSPC")],
        receivedAt: utc("2024-01-18T12:00:00Z"), source: "polygon")
      let result = try previousClose.parse(response)[Symbol("^GSPC")]
      #expect(failure(result) == .unsupportedSymbol(Symbol("^GSPC")), "status \(status)")
      #expect(failure(result)?.isProviderFault == false)
    }
  }

  /// A missing or unknown key is unauthorized, under 400 as under 401 or 403.
  @Test func keyProblemsAreUnauthorizedUnderAnyErrorStatus() throws {
    for (path, status) in [
      ("synthetic/polygon_401_unknown_api_key.json", 401), ("synthetic/polygon_401_unknown_api_key.json", 400),
      ("polygon/error_401_api_key_not_provided.json", 401), ("polygon/error_401_api_key_not_provided.json", 403),
    ] {
      let response = try Fixture.response(
        path, status: status, symbols: [Symbol("AAPL")], receivedAt: utc("2024-01-18T12:00:00Z"), source: "polygon")
      #expect(throws: ProviderError.unauthorized, "\(path) with \(status)") { try previousClose.parse(response) }
    }
    // Words we cannot read under a 400: the client error it is, not a fault.
    let odd = snapshot(
      #"{"status": "ERROR", "request_id": "r2", "error": "Could not parse the time parameter."}"#, status: 400,
      symbols: [Symbol("AAPL")])
    #expect(throws: ProviderError.upstreamStatus(400)) { try previousClose.parse(odd) }
  }

  @Test func errorBodiesByStatus() throws {
    let unknownKey = try Fixture.response(
      "synthetic/polygon_401_unknown_api_key.json", status: 401, symbols: [Symbol("AAPL")],
      receivedAt: utc("2024-01-18T12:00:00Z"), source: "polygon")
    #expect(throws: ProviderError.unauthorized) { try previousClose.parse(unknownKey) }
    let limited = try Fixture.response(
      "synthetic/polygon_429_max_requests.json", status: 429, symbols: [Symbol("AAPL")],
      receivedAt: utc("2024-01-18T12:00:00Z"), source: "polygon")
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try previousClose.parse(limited) }
    // The same body with 200 still says what it is.
    var limitedAsOK = limited
    limitedAsOK.status = 200
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try previousClose.parse(limitedAsOK) }
    var limitedWithWait = limited
    limitedWithWait.headers = [HTTPHeader(name: "Retry-After", value: "15")]
    #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(15))) { try previousClose.parse(limitedWithWait) }
  }

  @Test func recordedNonOKStatusIsNotByItselfAFailure() throws {
    let response = try Fixture.response(
      "polygon/v3_quotes_SPY_limit50_2023-10-27.json", symbols: [Symbol("SPY")], receivedAt: utc("2023-10-27T07:27:09Z"),
      source: "polygon")
    let document = try JSONValue(parsing: response.body)
    #expect(document["status"]?.stringValue == "POLYFEEDPLUS")
    // Nanosecond timestamps beyond 2^53 survive parsing exactly.
    #expect(document["results"]?[0]?["sip_timestamp"]?.int64Value == 1_698_364_800_094_626_560)
    #expect(document["results"]?[0]?["participant_timestamp"]?.int64Value == 1_698_364_800_094_281_561)
    // Fed to the last-trade parser (which expects a `results` object, not NBBO rows), the
    // status neither counts as unauthorized nor as an upstream error: it is the wrong shape.
    let error = #expect(throws: ProviderError.self) { try lastTrade.parse(response) }
    #expect(isMalformed(error))
    expectSafe(error, hiding: "PGkey_ABCDEFGHIJ")
  }

  @Test func declaresWhatEachEndpointServes() {
    #expect(previousClose.providerSymbol(for: Symbol("BTC-USD")) == "X:BTCUSD")
    #expect(previousClose.providerSymbol(for: Symbol("EURUSD=X")) == "C:EURUSD")
    #expect(previousClose.providerSymbol(for: Symbol("BRK-B")) == "BRK.B")
    #expect(previousClose.providerSymbol(for: Symbol("^GSPC")) == "I:SPX")
    #expect(previousClose.providerSymbol(for: Symbol("^IXIC")) == "I:COMP")
    #expect(previousClose.providerSymbol(for: Symbol("^VIX")) == "I:VIX")
    #expect(previousClose.providerSymbol(for: Symbol("GC=F")) == nil)
    // Polygon's stocks are US listings only.
    #expect(previousClose.providerSymbol(for: Symbol("0700.HK")) == nil)
    #expect(previousClose.providerSymbol(for: Symbol("ASML.AS")) == nil)
    #expect(lastTrade.providerSymbol(for: Symbol("^GSPC")) == nil)
    #expect(lastTrade.providerSymbol(for: Symbol("BTC-USD")) == nil)
    #expect(!lastTrade.capabilities.canServe(Symbol("EURUSD=X")))
  }
}
