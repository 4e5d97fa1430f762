import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

/// Every adapter over real HTTP on 127.0.0.1: the upstream answers only on the provider's
/// real method, path and query (anything else is a 404 the test would see), with the
/// recorded fixture, or with a recorded error shape.
@Suite struct ProviderLoopbackTests {
  let clock = SystemClock()

  func provider<Adapter: HTTPQuoteAdapter>(_ adapter: Adapter, _ transport: HTTPTransport) -> HTTPQuoteProvider<Adapter> {
    HTTPQuoteProvider(adapter: adapter, transport: transport, timeout: .generousTimeout, clock: clock)
  }

  /// Answers `response` to a request that matches, a 404 to anything else.
  static func only(
    _ method: String, _ path: String, query: [String: String]? = nil, _ response: FakeUpstream.Response
  ) -> FakeUpstream.Handler {
    { request in
      guard request.method == method, request.path == path, query.map({ $0 == request.query }) ?? true else {
        return .text("no such route: \(request.method) \(request.uri)", status: 404)
      }
      return response
    }
  }

  @Test func cboeDelayedQuoteIndexPathAndUnknownSymbol() async throws {
    let answer = try FakeUpstream.Response.fixture("cboe/delayed_quote_AAPL_2023-12-18.json")
    let missing = try FakeUpstream.Response.fixture(
      "cboe/error_403_access_denied.xml", status: 403, contentType: "application/xml")
    try await withLoopback({ request in
      switch request.path {
      case "/api/global/delayed_quotes/quotes/AAPL.json": answer
      case "/api/global/delayed_quotes/quotes/_SPX.json": answer
      default: missing
      }
    }) { upstream, transport in
      let cboe = provider(CboeAdapter(origin: upstream.baseURL), transport)
      let quote = try await cboe.quote(for: Symbol("AAPL"))
      #expect(quote.isDelayed)
      #expect(quote.price == 194.7799)
      #expect(quote.source == "cboe")
      _ = try await cboe.quote(for: Symbol("^GSPC"))
      #expect(upstream.requests.map(\.path).last == "/api/global/delayed_quotes/quotes/_SPX.json")
      let error = await providerError { try await cboe.quote(for: Symbol("ZZZZ")) }
      #expect(error == .unknownSymbol(Symbol("ZZZZ")))
      #expect(upstream.requests.allSatisfy { $0.method == "GET" })
    }
  }

  @Test func tmxGraphQLPost() async throws {
    let answer = try FakeUpstream.Response.fixture("tmx/graphql_getQuoteBySymbol_SHOP_2023-12-27.json")
    try await withLoopback(Self.only("POST", "/graphql", query: [:], answer)) { upstream, transport in
      let adapter = TMXAdapter(origin: upstream.baseURL)
      let quote = try await provider(adapter, transport).quote(for: Symbol("SHOP.TO"))
      #expect(quote.price == 103.48)
      #expect(quote.symbol == Symbol("SHOP.TO"))
      let request = try #require(upstream.requests.first)
      #expect(request.headers["content-type"] == "application/json")
      // The whole JSON body went out.
      let sent = try adapter.makeRequest(for: [Symbol("SHOP.TO")])
      #expect(request.headers["content-length"] == String(sent.body?.count ?? -1))
      let nothing = try FakeUpstream.Response.fixture("tmx/graphql_getQuoteBySymbol_null.json")
      upstream.respond(with: { _ in nothing })
      let error = await providerError { try await provider(adapter, transport).quote(for: Symbol("ZZZZ.TO")) }
      #expect(error == .unknownSymbol(Symbol("ZZZZ.TO")))
    }
  }
}
