import Foundation
import MarketCore

/// Financial Modeling Prep: `stable/quote?symbol=` (one symbol) or the legacy
/// `api/v3/quote/A,B` (batched), key in the `apikey` query parameter.
///
/// Both answer an array of objects with numeric prices and `timestamp` in epoch seconds; the
/// percent change is `changePercentage` on stable and `changesPercentage` on v3, both already
/// percent. An unknown symbol is simply absent (`[]`). Errors are `{"Error Message": …}`,
/// with 429 for the rate limit ("Limit Reach ."), 401 for a bad key and 402 for a symbol or
/// endpoint outside the plan.
public struct FinancialModelingPrepAdapter: HTTPQuoteAdapter {
  public enum Endpoint: Hashable, Sendable {
    case stable
    case legacyV3
  }

  public let id: ProviderID
  public let apiKey: Secret
  public let endpoint: Endpoint
  public let origin: String
  public let capabilities: ProviderCapabilities

  public init(
    id: ProviderID = "fmp", apiKey: Secret, endpoint: Endpoint = .stable,
    origin: String = "https://financialmodelingprep.com", maximumBatchSize: Int = 50
  ) {
    self.id = id
    self.apiKey = apiKey
    self.endpoint = endpoint
    self.origin = origin
    self.capabilities = ProviderCapabilities(
      assetClasses: [.equity, .index, .crypto, .forex], exchanges: .all,
      maximumBatchSize: endpoint == .stable ? 1 : maximumBatchSize)
  }

  /// Equities and indices keep Yahoo's spelling (`BRK-B`, `0700.HK`, `^GSPC`); pairs drop
  /// their punctuation (`BTCUSD`, `EURUSD`).
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    switch symbol.assetClass {
    case .equity, .index: return symbol.text
    case .crypto, .forex: return symbol.currencyPair.map { $0.base + $0.quote }
    case .future: return nil
    }
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try mappedBatch(symbols)
    let key = HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true)
    let accept = HTTPHeader(name: "Accept", value: "application/json")
    switch endpoint {
    case .stable:
      return HTTPRequestSpec(
        origin: origin, path: "/stable/quote",
        queryItems: [HTTPQueryItem(name: "symbol", value: batch[0].providerSymbol), key], headers: [accept],
        symbols: symbols)
    case .legacyV3:
      let list = batch.map(\.providerSymbol).joined(separator: ",")
      return HTTPRequestSpec(
        origin: origin, path: "/api/v3/quote/" + HTTPRequestSpec.encodePathSegment(list), queryItems: [key],
        headers: [accept], symbols: symbols)
    }
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [apiKey])
    } catch {
      throw ResponseTriage.statusError(for: response) ?? error
    }
    if let message = document["Error Message"]?.stringValue ?? document["error"]?.stringValue {
      if let perSymbol = try errorResult(message, response) { return perSymbol }
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let rows = document.arrayValue else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<Quote, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      let draft = QuoteDraft(
        price: row["price"]?.doubleValue, change: row["change"]?.doubleValue,
        // Renamed on the stable API; both are percent.
        changePercent: (row["changePercentage"] ?? row["changesPercentage"])?.doubleValue,
        open: row["open"]?.doubleValue, high: row["dayHigh"]?.doubleValue, low: row["dayLow"]?.doubleValue,
        previousClose: row["previousClose"]?.doubleValue, volume: row["volume"]?.doubleValue,
        asOf: .reading(row["timestamp"]) { $0.int64Value.flatMap(MarketTime.date(epochSeconds:)) })
      quotes[symbol] = draft.normalized(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    }
    for symbol in response.symbols where quotes[symbol] == nil { quotes[symbol] = .failure(.unknownSymbol(symbol)) }
    return quotes
  }

  /// Throws for whole-response errors; returns per-symbol `unsupportedSymbol` when the plan
  /// does not cover what was asked (402), which is no fault of the provider.
  private func errorResult(
    _ message: String, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>]? {
    let lowered = message.lowercased()
    if response.status == 429 || lowered.contains("limit reach") {
      throw .rateLimited(retryAfter: ResponseTriage.retryAfter(in: response))
    }
    if response.status == 401 || response.status == 403 || lowered.contains("api key") { throw .unauthorized }
    if response.status == 402 || lowered.contains("premium") || lowered.contains("subscription") {
      return Dictionary(uniqueKeysWithValues: response.symbols.map { ($0, .failure(.unsupportedSymbol($0))) })
    }
    throw ResponseTriage.statusError(for: response) ?? .upstreamStatus(400)
  }
}
