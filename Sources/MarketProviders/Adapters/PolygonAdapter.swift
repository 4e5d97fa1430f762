import Foundation
import MarketCore

/// Polygon.io: previous day's bar (`/v2/aggs/ticker/{T}/prev`: stocks, indices `I:SPX`,
/// crypto `X:BTCUSD`, forex `C:EURUSD`) or last trade (`/v2/last/trade/{T}`, stocks only),
/// one ticker per call.
///
/// The key goes in the `apiKey` query parameter or an `Authorization: Bearer` header.
/// Aggregate times are epoch milliseconds, trade times epoch nanoseconds (beyond 2^53, so
/// read as `Int64`). The top-level `status` is not a verdict by itself (`DELAYED` and
/// `POLYFEEDPLUS` accompany good data): data present is data. Failures are JSON with a
/// `status` and the reason in `error` or `message`, under 400, 401, 403 or 429:
/// `NOT_AUTHORIZED` ("You are not entitled to this data") is the plan not covering the
/// ticker, so the symbol is unsupported here, not the key wrong; `ERROR` is read by its words
/// (a missing or unknown key, the per-minute limit); `NOT_FOUND` is an unknown ticker.
/// Polygon's stocks cover US exchanges only, so other listings are refused up front.
public struct PolygonAdapter: HTTPQuoteAdapter {
  public enum Endpoint: Hashable, Sendable {
    case previousClose
    case lastTrade
  }

  public enum Authentication: Hashable, Sendable {
    case queryParameter
    case bearerHeader
  }

  public let id: ProviderID
  public let apiKey: Secret
  public let endpoint: Endpoint
  public let authentication: Authentication
  public let origin: String
  public let capabilities: ProviderCapabilities

  public init(
    id: ProviderID = "polygon", apiKey: Secret, endpoint: Endpoint = .previousClose,
    authentication: Authentication = .queryParameter, origin: String = "https://api.polygon.io"
  ) {
    self.id = id
    self.apiKey = apiKey
    self.endpoint = endpoint
    self.authentication = authentication
    self.origin = origin
    // Aggregates serve every market Polygon has; last trade is a stocks endpoint. Futures
    // are a separate product this API does not quote.
    self.capabilities = ProviderCapabilities(
      assetClasses: endpoint == .previousClose ? [.equity, .index, .crypto, .forex] : [.equity],
      exchanges: .unitedStatesOnly, maximumBatchSize: 1)
  }

  /// `BRK.B`, `I:SPX`, `X:BTCUSD`, `C:EURUSD`; an index without a rule keeps its name
  /// (`^OEX` → `I:OEX`).
  public func providerSymbol(for symbol: Symbol) -> String? {
    capabilities.canServe(symbol) ? Self.ticker(for: symbol) : nil
  }

  /// Polygon's ticker for any symbol of its markets, whichever endpoint is configured.
  static func ticker(for symbol: Symbol) -> String? {
    switch symbol.assetClass {
    case .equity: return symbol.text.replacingAll("-", with: ".")
    case .index: return symbol.indexName.map { "I:" + (indexNames[String($0)] ?? String($0)) }
    case .crypto: return "X:" + (symbol.currencyPair.map { $0.base + $0.quote } ?? symbol.text)
    case .forex: return "C:" + (symbol.currencyPair.map { $0.base + $0.quote } ?? symbol.text)
    case .future: return nil
    }
  }

  /// Yahoo's index names that Polygon spells otherwise.
  private static let indexNames = ["GSPC": "SPX", "IXIC": "COMP"]

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (_, ticker) = try mappedBatch(symbols)[0]
    let encoded = HTTPRequestSpec.encodePathSegment(ticker)
    var query: [HTTPQueryItem] = []
    var headers = [HTTPHeader(name: "Accept", value: "application/json")]
    let path: String
    switch endpoint {
    case .previousClose:
      path = "/v2/aggs/ticker/\(encoded)/prev"
      query.append(HTTPQueryItem(name: "adjusted", value: "true"))
    case .lastTrade:
      path = "/v2/last/trade/\(encoded)"
    }
    switch authentication {
    case .queryParameter:
      query.append(HTTPQueryItem(name: "apiKey", value: apiKey.revealedValue, isSensitive: true))
    case .bearerHeader:
      headers.append(HTTPHeader(name: "Authorization", value: "Bearer " + apiKey.revealedValue, isSensitive: true))
    }
    return HTTPRequestSpec(origin: origin, path: path, queryItems: query, headers: headers, symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [apiKey])
    } catch {
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) {
        return perSymbol
      }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    guard document.objectValue != nil, let symbol = response.symbols.first else {
      throw ResponseTriage.malformed(response.body, redacting: [apiKey])
    }
    let status = document["status"]?.stringValue ?? ""
    // The plan does not include this ticker (an index or a market the key lacks).
    if status == "NOT_AUTHORIZED" { return [symbol: .failure(.unsupportedSymbol(symbol))] }
    if status == "NOT_FOUND" || response.status == 404 { return [symbol: .failure(.unknownSymbol(symbol))] }
    if !response.isSuccess || status == "ERROR" { return try failure(document, response) }
    let draft: QuoteDraft?
    switch endpoint {
    case .previousClose:
      guard let bars = document["results"]?.arrayValue else {
        // `{"resultsCount": 0, "status": "OK"}` without `results`: no such ticker.
        if document["resultsCount"]?.int64Value == 0 { return [symbol: .failure(.unknownSymbol(symbol))] }
        throw ResponseTriage.malformed(response.body, redacting: [apiKey])
      }
      draft = bars.first.map { bar in
        QuoteDraft(
          price: bar["c"]?.doubleValue, open: bar["o"]?.doubleValue, high: bar["h"]?.doubleValue,
          low: bar["l"]?.doubleValue, volume: bar["v"]?.doubleValue,
          asOf: .reading(bar["t"]) { $0.int64Value.flatMap(MarketTime.date(epochMilliseconds:)) })
      }
    case .lastTrade:
      guard let trade = document["results"], trade.objectValue != nil else {
        throw ResponseTriage.malformed(response.body, redacting: [apiKey])
      }
      draft = QuoteDraft(
        price: trade["p"]?.doubleValue,
        asOf: .reading(trade["t"]) { $0.int64Value.flatMap(MarketTime.date(epochNanoseconds:)) })
    }
    guard let draft else { return [symbol: .failure(.unknownSymbol(symbol))] }
    return [
      symbol: draft.normalizedWithRepairs(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    ]
  }

  /// A failure body (`status: ERROR`, or any status but 2xx): its `error` or `message` says
  /// why; without words we can read, the HTTP status decides, and a 200 is malformed.
  private func failure(
    _ document: JSONValue, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    if let message = document["error"]?.stringValue ?? document["message"]?.stringValue,
      let perSymbol = try ResponseTriage.classify(message, response)
    {
      return perSymbol
    }
    throw ResponseTriage.statusError(for: response) ?? ResponseTriage.malformed(response.body, redacting: [apiKey])
  }
}
