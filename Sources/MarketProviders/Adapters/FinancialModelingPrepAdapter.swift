import Foundation
import MarketCore

/// Financial Modeling Prep: `stable/quote?symbol=` (one symbol) or the legacy
/// `api/v3/quote/A,B` (batched), key in the `apikey` query parameter.
///
/// Both answer an array of objects with numeric prices and `timestamp` in epoch seconds; the
/// percent change is `changePercentage` on stable and `changesPercentage` on v3, both already
/// percent. An unknown symbol is simply absent (`[]`). Errors are `{"Error Message": …}`
/// (sometimes `{"error": …}`), read by their words: "Limit Reach ." with 429 is the rate
/// limit (its "upgrade your plan" notwithstanding), "Invalid API KEY" with 401 a bad key,
/// "Legacy Endpoint" with 403 a key issued after 31 August 2025 calling `api/v3` (which it
/// may never do), "Premium Query Parameter" with 402 or "Exclusive Endpoint" with 403 a
/// symbol or endpoint outside the plan.
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
    self.capabilities = ProviderCapabilities(maximumBatchSize: endpoint == .stable ? 1 : maximumBatchSize)
  }

  public func providerSymbol(for symbol: Symbol) -> String? {
    capabilities.canServe(symbol) ? Self.fmpSymbol(for: symbol) : nil
  }

  /// Equities and indices keep Yahoo's spelling, which is FMP's (`BRK-B`, `0700.HK`,
  /// `ASML.AS`, `^GSPC`); pairs drop their punctuation (`BTCUSD`, `EURUSD`); continuous
  /// futures become FMP's commodity symbols (`GCUSD` for `GC=F`). Anything else is passed
  /// through as it is.
  static func fmpSymbol(for symbol: Symbol) -> String {
    switch symbol.assetClass {
    case .equity, .index: symbol.text
    case .crypto, .forex: symbol.currencyPair.map { $0.base + $0.quote } ?? symbol.text
    case .future: symbol.futuresRoot.map { $0 + "USD" } ?? symbol.text
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
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [apiKey])
    } catch {
      // An edge's HTML page or a plain-text answer: its words, then its status, say what.
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) {
        return perSymbol
      }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    if let message = document["Error Message"]?.stringValue ?? document["error"]?.stringValue {
      if let perSymbol = try ResponseTriage.classify(message, response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? .upstreamStatus(400)
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let rows = document.arrayValue else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<NormalizedQuote, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      let draft = QuoteDraft(
        price: row["price"]?.doubleValue, change: row["change"]?.doubleValue,
        // Renamed on the stable API; both are percent.
        changePercent: (row["changePercentage"] ?? row["changesPercentage"])?.doubleValue,
        open: row["open"]?.doubleValue, high: row["dayHigh"]?.doubleValue, low: row["dayLow"]?.doubleValue,
        previousClose: row["previousClose"]?.doubleValue, volume: row["volume"]?.doubleValue,
        asOf: .reading(row["timestamp"]) { $0.int64Value.flatMap(MarketTime.date(epochSeconds:)) })
      quotes[symbol] = draft.normalizedWithRepairs(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    }
    for symbol in response.symbols where quotes[symbol] == nil { quotes[symbol] = .failure(.unknownSymbol(symbol)) }
    return quotes
  }
}
