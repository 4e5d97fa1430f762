import Foundation
import MarketCore
import Testing

@testable import MarketProviders

/// Bodies no provider should send but any might (a proxy's error page, a cut connection, a
/// broken deploy): every adapter must survive them and answer `malformedBody` with a short
/// excerpt that never contains its key.
@Suite struct HostileBodyTests {
  static let key = "SEKRETKEY123456"
  static let symbol = Symbol("AAPL")

  /// Bodies that are not the provider's shape at all.
  static let genericBodies: [(name: String, body: [UInt8])] = [
    ("empty", []),
    ("truncated JSON", Array(#"{"results": [{"symbol": "AAPL", "last_pri"#.utf8)),
    (
      "HTML error page",
      Array("<html><head><title>502 Bad Gateway</title></head><body>upstream ?apikey=\(key) failed</body></html>".utf8)
    ),
    ("key echoed in JSON", Array(#"{"message": "invalid key \#(key)"}"#.utf8)),
    ("JSON null", Array("null".utf8)),
    ("NaN literal", Array(#"{"c": NaN, "price": NaN}"#.utf8)),
    ("number beyond Double", Array(#"{"c": 1e400, "results": [1e400]}"#.utf8)),
    ("binary", [0x00, 0xFF, 0xFE, 0x1B, 0x5B, 0x32, 0x4A, 0xC3, 0x28, 0x07] + Array(key.utf8)),
    ("deeply nested", Array(String(repeating: "[", count: 50_000).utf8)),
    ("huge", [UInt8](repeating: UInt8(ascii: "9"), count: 3 << 20)),
  ]

  /// Each adapter's own shape with `PRICE` where the price goes.
  static let templates: [(adapter: any HTTPQuoteAdapter, body: String)] = [
    (OpenBBAdapter(), #"{"results": [{"symbol": "AAPL", "last_price": PRICE}], "provider": "fmp", "warnings": null}"#),
    (
      YahooFinanceAdapter(),
      #"{"chart": {"result": [{"meta": {"symbol": "AAPL", "regularMarketPrice": PRICE, "regularMarketTime": 1739912400}}], "error": null}}"#
    ),
    (
      YahooFinanceAdapter(session: .init(crumb: Secret(key), cookie: Secret(key))),
      #"{"quoteResponse": {"result": [{"symbol": "AAPL", "regularMarketPrice": PRICE, "regularMarketTime": 1766424318}], "error": null}}"#
    ),
    (
      AlphaVantageAdapter(apiKey: Secret(key)),
      #"{"Global Quote": {"01. symbol": "AAPL", "05. price": PRICE, "07. latest trading day": "2018-10-05"}}"#
    ),
    (
      FinnhubAdapter(token: Secret(key)),
      #"{"c": PRICE, "d": null, "dp": null, "h": 1, "l": 1, "o": 1, "pc": 1, "t": 1696017601}"#
    ),
    (FinancialModelingPrepAdapter(apiKey: Secret(key)), #"[{"symbol": "AAPL", "price": PRICE, "timestamp": 1758571201}]"#),
    (
      PolygonAdapter(apiKey: Secret(key)),
      #"{"results": [{"T": "AAPL", "c": PRICE, "t": 1673298000000}], "resultsCount": 1, "status": "OK"}"#
    ),
    (
      PolygonAdapter(apiKey: Secret(key), endpoint: .lastTrade),
      #"{"results": {"T": "AAPL", "p": PRICE, "t": 1673384400123456789}, "status": "OK"}"#
    ),
    (StooqAdapter(), "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2022-12-09,22:00:03,1,1,1,PRICE,100\r\n"),
    (
      CboeAdapter(),
      #"{"timestamp": "2023-12-18 15:28:49", "data": {"symbol": "AAPL", "current_price": PRICE, "prev_day_close": 1, "last_trade_time": "2023-12-18T10:13:46"}, "symbol": "AAPL"}"#
    ),
    (TMXAdapter(), #"{"data": {"getQuoteBySymbol": {"symbol": "SHOP", "price": PRICE, "prevClose": 1}}}"#),
  ]

  func holdsKey(_ adapter: any HTTPQuoteAdapter) -> Bool {
    switch adapter {
    case let openBB as OpenBBAdapter: openBB.credentials != nil
    case let yahoo as YahooFinanceAdapter: yahoo.session != nil
    case is StooqAdapter, is CboeAdapter, is TMXAdapter: false
    default: true
    }
  }

  static let badPrices = [
    #""NaN""#, #""Infinity""#, #""-1e400""#, "1e400", "1e300", "-5", "0", #""abc""#, "null", "true", "[1]",
    #"{"raw": 1}"#, "123456789012345678901234567890", #""""#,
  ]

  static let badCSVPrices = ["NaN", "nan", "inf", "-Infinity", "1e400", "1e300", "-5", "0", "abc", "", "0x1p3"]

  /// Asserts the outcome is `malformedBody` (thrown, or for the symbol) with a safe excerpt.
  func expectMalformed(
    _ adapter: any HTTPQuoteAdapter, _ body: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let response = HTTPResponseSnapshot(
      status: 200, body: body, symbols: [Self.symbol], receivedAt: utc("2025-12-22T18:00:00Z"), source: adapter.id)
    let error: ProviderError?
    do {
      let results = try adapter.parse(response)
      error = failure(results[Self.symbol])
    } catch let thrown {
      error = thrown
    }
    #expect(isMalformed(error), "\(adapter.id) on \(label): \(String(describing: error))", sourceLocation: sourceLocation)
    // Keyless adapters cannot know which text is someone's key; those with one must hide it.
    if holdsKey(adapter) { expectSafe(error, hiding: Self.key, sourceLocation: sourceLocation) }
    expectSafe(error, hiding: "\u{0}", sourceLocation: sourceLocation)
  }

  @Test func genericHostileBodiesAreMalformedForEveryAdapter() {
    for adapter in allAdapters {
      for (name, body) in Self.genericBodies {
        expectMalformed(adapter, body, name)
      }
    }
  }

  @Test func impossiblePricesInEachProvidersShapeAreMalformed() {
    for (adapter, template) in Self.templates {
      let prices = adapter is StooqAdapter ? Self.badCSVPrices : Self.badPrices
      for price in prices {
        expectMalformed(adapter, Array(template.replacingAll("PRICE", with: price).utf8), "price \(price)")
      }
    }
  }

  @Test func templatesAreValidWithAGoodPrice() throws {
    // Guards the test above: the same shapes with a real price do parse.
    for (adapter, template) in Self.templates {
      let body = Array(template.replacingAll("PRICE", with: "142.16").utf8)
      let response = HTTPResponseSnapshot(
        status: 200, body: body, symbols: [Self.symbol], receivedAt: utc("2025-12-22T18:00:00Z"), source: adapter.id)
      #expect(try quote(try adapter.parse(response)[Self.symbol]).price == 142.16, "\(adapter.id)")
    }
  }

  @Test func implausibleTimestampsAreMalformedNotFresh() {
    let finnhub = FinnhubAdapter(token: Secret(Self.key))
    // Milliseconds where seconds belong: year 55,000.
    let body = #"{"c": 171.21, "h": 1, "l": 1, "o": 1, "pc": 1, "t": 1696017601000}"#
    expectMalformed(finnhub, Array(body.utf8), "millisecond timestamp")
    let stooq = StooqAdapter()
    let csv = "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2022-13-45,22:00:03,1,1,1,142.16,100\r\n"
    expectMalformed(stooq, Array(csv.utf8), "impossible date")
    let ragged = "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2022-12-09,142.16\r\n"
    expectMalformed(stooq, Array(ragged.utf8), "ragged row")
  }
}
