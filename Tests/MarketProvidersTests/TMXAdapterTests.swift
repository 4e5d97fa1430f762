import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct TMXAdapterTests {
  let adapter = TMXAdapter()
  /// The recorded answer's Date header.
  let received = utc("2023-12-27T22:03:26Z")

  @Test func postsTheGetQuoteBySymbolQueryAsJSON() throws {
    let request = try adapter.makeRequest(for: [Symbol("SHOP.TO")])
    #expect(request.method == .post)
    #expect(request.url == "https://app-money.tmx.com/graphql")
    #expect(request.header("content-type") == "application/json")
    let body = try JSONValue(parsing: try #require(request.body))
    #expect(body["operationName"]?.stringValue == "getQuoteBySymbol")
    #expect(body["variables"]?["symbol"]?.stringValue == "SHOP")
    #expect(body["variables"]?["locale"]?.stringValue == "en")
    let query = try #require(body["query"]?.stringValue)
    #expect(query.hasPrefix("query getQuoteBySymbol($symbol: String, $locale: String) {"))
    for field in ["price", "priceChange", "percentChange", "prevClose", "openPrice", "dayHigh", "dayLow", "volume"] {
      #expect(query.contains(" \(field) "), "\(field)")
    }
    // The body shows in no printed form; its size does.
    #expect(request.redactedDescription.contains("(body of \(request.body?.count ?? 0) bytes)"))
    #expect(!request.redactedDescription.contains("getQuoteBySymbol"))
    let elsewhere = TMXAdapter(id: "tmx-test", origin: "http://127.0.0.1:9")
    #expect(elsewhere.id == "tmx-test")
    #expect(try elsewhere.makeRequest(for: [Symbol("SHOP.TO")]).url == "http://127.0.0.1:9/graphql")
  }

  @Test func mapsTSXAndVentureListingsAndRefusesTheRest() {
    #expect(adapter.providerSymbol(for: Symbol("SHOP.TO")) == "SHOP")
    #expect(adapter.providerSymbol(for: Symbol("RCI-B.TO")) == "RCI.B")
    #expect(adapter.providerSymbol(for: Symbol("REI-UN.TO")) == "REI.UN")
    #expect(adapter.providerSymbol(for: Symbol("AVE.V")) == "AVE")
    // TMX Money quotes TMX Group's exchanges only.
    for text in ["AAPL", "SHOP", "ABC.CN", "VOD.L", "0700.HK", "^GSPTSE", "USDCAD=X", "BTC-CAD", "CL=F"] {
      let symbol = (try? Symbol(validating: text)) ?? Symbol("AAPL")
      #expect(adapter.providerSymbol(for: symbol) == nil, "\(text)")
      #expect(!adapter.canServe(symbol), "\(text)")
    }
    let plan = adapter.plan(for: [Symbol("SHOP.TO"), Symbol("AAPL")])
    #expect(plan.requests.map(\.symbols) == [[Symbol("SHOP.TO")]])
    #expect(plan.rejected == [Symbol("AAPL"): .unsupportedSymbol(Symbol("AAPL"))])
  }

  @Test func parsesTheRecordedQuote() throws {
    let response = try Fixture.response(
      "tmx/graphql_getQuoteBySymbol_SHOP_2023-12-27.json", symbols: [Symbol("SHOP.TO")], receivedAt: received,
      source: "tmx")
    let normalized = try #require(try adapter.parseWithRepairs(response)[Symbol("SHOP.TO")]?.get())
    let shop = normalized.quote
    #expect(shop.price == 103.48)
    #expect(shop.change == 1.61)
    #expect(shop.changePercent == 1.5804)  // percentChange 1.580446, already percent
    #expect(shop.open == 103)  // sent as the integer 103
    #expect(shop.high == 103.82)
    #expect(shop.low == 101.92)
    #expect(shop.previousClose == 101.87)
    #expect(shop.volume == 2_086_254)
    #expect(shop.currency == "CAD")
    // TMX sends no time: the receipt time stands in.
    #expect(shop.asOf == received)
    #expect(!shop.isDelayed)
    #expect(normalized.repairs.isEmpty)
  }

  @Test func aNullQuoteIsUnknownSymbol() throws {
    let response = try Fixture.response(
      "tmx/graphql_getQuoteBySymbol_null.json", symbols: [Symbol("ZZZZ.TO")], receivedAt: received, source: "tmx")
    #expect(failure(try adapter.parse(response)[Symbol("ZZZZ.TO")]) == .unknownSymbol(Symbol("ZZZZ.TO")))
  }

  @Test func graphQLErrorsAreReadByWordsThenCode() throws {
    let cases: [(String, ProviderError)] = [
      ("tmx/graphql_errors_internal.json", .upstreamStatus(500)),
      ("tmx/graphql_errors_validation.json", .upstreamStatus(400)),
      ("tmx/graphql_errors_rate_limited.json", .rateLimited(retryAfter: .seconds(60))),
    ]
    for (path, expected) in cases {
      let response = try Fixture.response(path, symbols: [Symbol("SHOP.TO")], receivedAt: received, source: "tmx")
      #expect(throws: expected, "\(path)") { try adapter.parse(response) }
    }
    #expect(ProviderError.upstreamStatus(500).isProviderFault)
  }

  @Test func edgeRefusalsByStatus() {
    let limited = snapshot("<html><body>Too Many Requests</body></html>", status: 429, symbols: [Symbol("SHOP.TO")])
    #expect(throws: ProviderError.rateLimited(retryAfter: nil)) { try adapter.parse(limited) }
    let walled = snapshot("<html><body>Access Denied</body></html>", status: 403, symbols: [Symbol("SHOP.TO")])
    #expect(throws: ProviderError.unauthorized) { try adapter.parse(walled) }
    let broken = snapshot(#"{"data": {}}"#, symbols: [Symbol("SHOP.TO")])
    #expect(isMalformed(#expect(throws: ProviderError.self) { try adapter.parse(broken) }))
  }
}
