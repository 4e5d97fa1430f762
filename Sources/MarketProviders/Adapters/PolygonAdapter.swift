import Foundation
import MarketCore

/// Polygon.io: previous day's bar (`/v2/aggs/ticker/{T}/prev`, stocks, crypto `X:BTCUSD` and
/// forex `C:EURUSD`) or last trade (`/v2/last/trade/{T}`, stocks only), one ticker per call.
///
/// The key goes in the `apiKey` query parameter or an `Authorization: Bearer` header.
/// Aggregate times are epoch milliseconds, trade times epoch nanoseconds (beyond 2^53, so
/// read as `Int64`). The top-level `status` is not a verdict by itself (`DELAYED` and
/// `POLYFEEDPLUS` accompany good data): data present is data; `NOT_AUTHORIZED` is the plan
/// refusing, `ERROR` carries the reason in `error`, `NOT_FOUND` is an unknown ticker.
/// Indices (`I:SPX` for `^GSPC`) need a separate plan and a name table, so are not served.
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
    self.capabilities = ProviderCapabilities(
      assetClasses: endpoint == .previousClose ? [.equity, .crypto, .forex] : [.equity], exchanges: .unitedStatesOnly,
      maximumBatchSize: 1)
  }

  /// `BRK.B`, `X:BTCUSD`, `C:EURUSD`.
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    switch symbol.assetClass {
    case .equity: return symbol.text.replacingAll("-", with: ".")
    case .crypto: return symbol.currencyPair.map { "X:" + $0.base + $0.quote }
    case .forex: return symbol.currencyPair.map { "C:" + $0.base + $0.quote }
    case .index, .future: return nil
    }
  }

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
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [apiKey])
    } catch {
      throw ResponseTriage.statusError(for: response) ?? error
    }
    guard document.objectValue != nil, let symbol = response.symbols.first else {
      throw ResponseTriage.malformed(response.body, redacting: [apiKey])
    }
    let status = document["status"]?.stringValue ?? ""
    if status == "NOT_AUTHORIZED" { throw .unauthorized }
    if status == "NOT_FOUND" || response.status == 404 { return [symbol: .failure(.unknownSymbol(symbol))] }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    let draft: QuoteDraft?
    switch endpoint {
    case .previousClose:
      guard let bars = document["results"]?.arrayValue else {
        // `{"resultsCount": 0, "status": "OK"}` without `results`: no such ticker.
        if document["resultsCount"]?.int64Value == 0 { return [symbol: .failure(.unknownSymbol(symbol))] }
        throw failure(document, response)
      }
      draft = bars.first.map { bar in
        QuoteDraft(
          price: bar["c"]?.doubleValue, open: bar["o"]?.doubleValue, high: bar["h"]?.doubleValue,
          low: bar["l"]?.doubleValue, volume: bar["v"]?.doubleValue,
          asOf: .reading(bar["t"]) { $0.int64Value.flatMap(MarketTime.date(epochMilliseconds:)) })
      }
    case .lastTrade:
      guard let trade = document["results"], trade.objectValue != nil else {
        throw failure(document, response)
      }
      draft = QuoteDraft(
        price: trade["p"]?.doubleValue,
        asOf: .reading(trade["t"]) { $0.int64Value.flatMap(MarketTime.date(epochNanoseconds:)) })
    }
    guard let draft else { return [symbol: .failure(.unknownSymbol(symbol))] }
    return [
      symbol: draft.normalized(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    ]
  }

  /// A 200 without data: `status: ERROR` says why in `error`; anything else is malformed.
  private func failure(_ document: JSONValue, _ response: HTTPResponseSnapshot) -> ProviderError {
    let message = (document["error"]?.stringValue ?? document["message"]?.stringValue ?? "").lowercased()
    if message.contains("maximum requests") || message.contains("rate limit") {
      return .rateLimited(retryAfter: ResponseTriage.retryAfter(in: response))
    }
    if message.contains("api key") || message.contains("not entitled") || message.contains("not authorized") {
      return .unauthorized
    }
    return ResponseTriage.malformed(response.body, redacting: [apiKey])
  }
}
