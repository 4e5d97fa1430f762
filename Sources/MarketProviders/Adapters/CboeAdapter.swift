import Foundation
import MarketCore

/// Cboe's keyless delayed quotes: `GET /api/global/delayed_quotes/quotes/{SYMBOL}.json` on
/// `cdn.cboe.com`, one symbol per call, 15 minutes behind, so every quote is marked delayed.
///
/// The body is `{"timestamp", "data": {…}, "symbol"}` with numeric prices: `current_price`,
/// `prev_day_close`, `price_change`, `price_change_percent` (percent, -1.4122 for -1.41 %),
/// `open`/`high`/`low`/`volume`, and `last_trade_time`, a naive ISO time in New York wall
/// time (the top-level `timestamp` is the CDN's UTC write time). Indices take a leading
/// underscore (`_SPX`, `_VIX`), as OpenBB's Cboe provider requests them.
///
/// The CDN answers a symbol it has no file for with 403 (S3's `AccessDenied`) or 404, as XML
/// or HTML: an unknown symbol. A CloudFront block page ("Request blocked") is the CDN
/// refusing us, not the symbol: reported as the 403 it is. 429 is a rate limit, 5xx the CDN
/// failing.
///
/// Cboe publishes these quotes for US-listed equities, ETFs and indices (the underlyings of
/// its US options), so other listings, pairs and futures are refused up front.
public struct CboeAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  public let origin: String
  public let capabilities = ProviderCapabilities(
    assetClasses: [.equity, .index], exchanges: .unitedStatesOnly, maximumBatchSize: 1)

  public init(id: ProviderID = "cboe", origin: String = "https://cdn.cboe.com") {
    self.id = id
    self.origin = origin
  }

  /// `AAPL`, `_SPX` for `^GSPC` and `^SPX`, `_VIX`; an index without a rule keeps its name.
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    guard let index = symbol.indexName else { return symbol.text }
    return "_" + Self.cboeIndexName(for: index)
  }

  /// Cboe's name for an index Yahoo spells otherwise (`GSPC` is Cboe's `SPX`).
  static func cboeIndexName(for yahooName: Substring) -> String {
    yahooName == "GSPC" ? "SPX" : String(yahooName)
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (_, providerSymbol) = try mappedBatch(symbols)[0]
    return HTTPRequestSpec(
      origin: origin,
      path: "/api/global/delayed_quotes/quotes/" + HTTPRequestSpec.encodePathSegment(providerSymbol) + ".json",
      headers: [HTTPHeader(name: "Accept", value: "application/json")], symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    if response.status == 403 || response.status == 404 {
      let text = ResponseTriage.text(of: response).lowercased()
      if text.contains("request blocked") || text.contains("could not be satisfied") {
        throw .upstreamStatus(response.status)
      }
      return [symbol: .failure(.unknownSymbol(symbol))]
    }
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [])
    } catch {
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let data = document["data"], data.objectValue != nil else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let price = data["current_price"]?.doubleValue ?? data["close"]?.doubleValue
    // A file for a symbol that no longer trades: zeros and nulls, nothing to quote.
    if price == nil || price == 0, (data["prev_day_close"]?.doubleValue ?? 0) == 0 {
      return [symbol: .failure(.unknownSymbol(symbol))]
    }
    var draft = QuoteDraft(
      price: price, change: data["price_change"]?.doubleValue,
      changePercent: data["price_change_percent"]?.doubleValue, open: data["open"]?.doubleValue,
      high: data["high"]?.doubleValue, low: data["low"]?.doubleValue, previousClose: data["prev_day_close"]?.doubleValue,
      volume: data["volume"]?.doubleValue, currency: "USD",
      asOf: .reading(data["last_trade_time"]) { value in
        value.stringValue.flatMap { text in
          Self.newYork.flatMap { MarketTime.date(iso8601: text, assumedZone: $0) }
        }
      })
    draft.isDelayed = true
    return [
      symbol: draft.normalizedWithRepairs(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    ]
  }

  /// `last_trade_time` is New York wall time without a zone.
  private static let newYork = TimeZone(identifier: "America/New_York")
}
