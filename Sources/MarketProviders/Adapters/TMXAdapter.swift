import Foundation
import MarketCore

/// TMX Money's keyless GraphQL API: the `getQuoteBySymbol` query POSTed to `/graphql` on
/// `app-money.tmx.com`, one symbol per call.
///
/// The answer is `{"data": {"getQuoteBySymbol": {…}}}` with numeric prices (`price`,
/// `priceChange`, `percentChange` in percent, `openPrice`, `dayHigh`, `dayLow`, `prevClose`,
/// `volume`) and no time, so the as-of time is the receipt time. An unknown symbol is
/// `getQuoteBySymbol: null`; a failure is GraphQL's `errors` array (with or without `data`),
/// read by its words and its `extensions.code`. Rate limits and bot walls come from the edge
/// as 429 or 403 pages.
///
/// TMX Money quotes the listings of TMX Group's exchanges, the Toronto Stock Exchange and
/// TSX Venture (Yahoo's `.TO` and `.V`); it takes the bare ticker with the share class after
/// a dot (`SHOP.TO` → `SHOP`, `RCI-B.TO` → `RCI.B`), as OpenBB's TMX provider sends it.
/// Everything else (US listings, other Canadian venues, pairs, futures) is refused up front.
public struct TMXAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  public let origin: String
  /// US listings pass the declaration (its `Exchanges` cannot say "these suffixes only");
  /// ``providerSymbol(for:)`` refuses them.
  public let capabilities = ProviderCapabilities(
    assetClasses: [.equity], exchanges: .unitedStatesAnd(Self.suffixes), maximumBatchSize: 1)

  /// Yahoo's suffixes for the Toronto Stock Exchange and TSX Venture.
  static let suffixes: Set<String> = ["TO", "V"]

  public init(id: ProviderID = "tmx", origin: String = "https://app-money.tmx.com") {
    self.id = id
    self.origin = origin
  }

  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    return Self.tmxSymbol(for: symbol)
  }

  /// The bare TSX or TSX Venture ticker, share class after a dot; nil for anything else.
  static func tmxSymbol(for symbol: Symbol) -> String? {
    guard symbol.assetClass == .equity, let suffix = symbol.exchangeSuffix, suffixes.contains(String(suffix)) else {
      return nil
    }
    return String(symbol.localTicker).replacingAll("-", with: ".")
  }

  /// Only the fields a quote needs: a smaller answer, and fewer ways for it to change.
  static let query = """
    query getQuoteBySymbol($symbol: String, $locale: String) { \
    getQuoteBySymbol(symbol: $symbol, locale: $locale) { \
    symbol price priceChange percentChange openPrice dayHigh dayLow prevClose volume exchangeCode } }
    """

  private struct Payload: Encodable {
    struct Variables: Encodable {
      var symbol: String
      var locale: String
    }
    var operationName: String
    var variables: Variables
    var query: String
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (_, providerSymbol) = try mappedBatch(symbols)[0]
    let payload = Payload(
      operationName: "getQuoteBySymbol", variables: .init(symbol: providerSymbol, locale: "en"), query: Self.query)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let body: Data
    do {
      body = try encoder.encode(payload)
    } catch {
      // Strings only: encoding cannot fail; if it ever did, the symbol is the odd one out.
      throw .unsupportedSymbol(symbols[0])
    }
    return HTTPRequestSpec(
      method: .post, origin: origin, path: "/graphql",
      headers: [
        HTTPHeader(name: "Content-Type", value: "application/json"),
        HTTPHeader(name: "Accept", value: "application/json"),
        HTTPHeader(name: "Referer", value: "https://money.tmx.com/"),
      ],
      body: Array(body), symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [])
    } catch {
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    let quote = document["data"]?["getQuoteBySymbol"]
    if let quote, quote.objectValue != nil {
      return [symbol: self.quote(from: quote, symbol, response)]
    }
    if let errors = document["errors"]?.arrayValue, !errors.isEmpty { return try failure(errors, response) }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    // `{"data": {"getQuoteBySymbol": null}}`: TMX has no such listing.
    if let quote, quote.isNull { return [symbol: .failure(.unknownSymbol(symbol))] }
    throw ResponseTriage.malformed(response.body, redacting: [])
  }

  private func quote(
    from row: JSONValue, _ symbol: Symbol, _ response: HTTPResponseSnapshot
  ) -> Result<NormalizedQuote, ProviderError> {
    // TMX sends zeros and empty strings for "no value"; a listing without a price and
    // without a previous close has nothing to quote.
    let price = row["price"]?.doubleValue
    if price == nil || price == 0, (row["prevClose"]?.doubleValue ?? 0) == 0 {
      return .failure(.unknownSymbol(symbol))
    }
    let draft = QuoteDraft(
      price: price, change: row["priceChange"]?.doubleValue, changePercent: row["percentChange"]?.doubleValue,
      open: row["openPrice"]?.doubleValue, high: row["dayHigh"]?.doubleValue, low: row["dayLow"]?.doubleValue,
      previousClose: row["prevClose"]?.doubleValue, volume: row["volume"]?.doubleValue, currency: "CAD")
    return draft.normalizedWithRepairs(
      symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
      source: response.source)
  }

  /// GraphQL's `errors` without a quote: their messages' words first (a rate limit, an
  /// unknown symbol); then their `extensions.code`: a query the server refuses
  /// (`GRAPHQL_VALIDATION_FAILED`, `GRAPHQL_PARSE_FAILED`, `BAD_USER_INPUT`) is a 400, any
  /// other failure the server's own, a 500.
  private func failure(
    _ errors: [JSONValue], _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    let messages = errors.compactMap { $0["message"]?.stringValue }.joined(separator: "; ")
    if let perSymbol = try ResponseTriage.classify(messages, response) { return perSymbol }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    let codes = Set(errors.compactMap { $0["extensions"]?["code"]?.stringValue })
    let refusedQuery: Set = ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT"]
    throw .upstreamStatus(!codes.isEmpty && codes.isSubset(of: refusedQuery) ? 400 : 500)
  }
}
