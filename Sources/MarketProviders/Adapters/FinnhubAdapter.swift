import Foundation
import MarketCore

/// Finnhub `GET /api/v1/quote`, one US listing per call, token in `X-Finnhub-Token`.
///
/// The body is single-letter keys (`c`, `h`, `l`, `o`, `pc`, `t` in epoch seconds); `d` and
/// `dp` (percent) only exist since 2021 and are derived when absent. An unknown symbol is not
/// an error but a body of zeros. Failures are `{"error": …}` (with 200, 401 or 403) or plain
/// text (429), read by their words: "Invalid API key" is a bad token, "API limit reached.
/// Please try again later" the rate limit, but "API limit reached. Please sign up for a free
/// account" is what a request without a token gets; "You don't have access to this resource"
/// and "Symbol not supported" are the plan not covering the symbol.
///
/// Finnhub documents the quote endpoint for US stocks: other markets are for Enterprise
/// clients and indices for premium plans, so those are refused up front, as are crypto and
/// forex, which the quote endpoint does not document at all.
public struct FinnhubAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  public let token: Secret
  public let origin: String
  public let capabilities = ProviderCapabilities(
    assetClasses: [.equity], exchanges: .unitedStatesOnly, maximumBatchSize: 1)

  public init(id: ProviderID = "finnhub", token: Secret, origin: String = "https://finnhub.io") {
    self.id = id
    self.token = token
    self.origin = origin
  }

  /// US share classes are written with a dot (`BRK.B`).
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    return symbol.text.replacingAll("-", with: ".")
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (_, providerSymbol) = try mappedBatch(symbols)[0]
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/quote", queryItems: [HTTPQueryItem(name: "symbol", value: providerSymbol)],
      headers: [
        HTTPHeader(name: "Accept", value: "application/json"),
        HTTPHeader(name: "X-Finnhub-Token", value: token.revealedValue, isSensitive: true),
      ],
      symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [token])
    } catch {
      // The 429 (also what a missing token gets) is plain text.
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) {
        return perSymbol
      }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    // `{"error": "You don't have access to this resource."}` can come with 200.
    if let message = document["error"]?.stringValue {
      if let perSymbol = try ResponseTriage.classify(message, response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? ResponseTriage.malformed(response.body, redacting: [token])
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard document["c"] != nil, let symbol = response.symbols.first else {
      throw ResponseTriage.malformed(response.body, redacting: [token])
    }
    let fields = ["c", "h", "l", "o", "pc"].map { document[$0] }
    // Zero or null everywhere is Finnhub's "no such symbol"; text such as "NaN" is not zero
    // and falls through to the price check as malformed.
    if fields.allSatisfy({ $0 == nil || $0 == .null || $0?.doubleValue == 0 }) {
      return [symbol: .failure(.unknownSymbol(symbol))]
    }
    let prices = fields.map { $0?.doubleValue }
    let draft = QuoteDraft(
      price: prices[0], change: document["d"]?.doubleValue, changePercent: document["dp"]?.doubleValue,
      open: prices[3], high: prices[1], low: prices[2], previousClose: prices[4],
      asOf: .reading(document["t"]) { $0.int64Value.flatMap(MarketTime.date(epochSeconds:)) })
    return [
      symbol: draft.normalizedWithRepairs(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
    ]
  }
}
