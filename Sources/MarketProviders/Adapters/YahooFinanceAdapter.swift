import Foundation
import MarketCore

/// Yahoo Finance: the v8 chart endpoint (one symbol, no credentials) by default, or the v7
/// quote endpoint (batched) when a crumb and its cookie are configured.
///
/// Symbols are Yahoo's own, so the canonical form is sent unchanged and every class is
/// asked. Errors arrive as `chart.error`, `quoteResponse.error` or `finance.error` envelopes
/// (`{"code": "Not Found", "description": "No data found, symbol may be delisted"}` is an
/// unknown symbol, `{"code": "Unauthorized", "description": "Invalid Crumb"}` a stale
/// session), read by their words; rate limits come as plain text (`Edge: Too Many Requests`,
/// `Too Many Requests`) with 429, and edge failures as HTML pages, which only their status
/// explains.
public struct YahooFinanceAdapter: HTTPQuoteAdapter {
  /// The crumb and the cookie it was issued with; v7 quote rejects requests without them.
  public struct Session: Hashable, Sendable {
    public var crumb: Secret
    public var cookie: Secret

    public init(crumb: Secret, cookie: Secret) {
      self.crumb = crumb
      self.cookie = cookie
    }
  }

  public let id: ProviderID
  public let session: Session?
  public let chartOrigin: String
  public let quoteOrigin: String
  public let capabilities: ProviderCapabilities

  public init(
    id: ProviderID = "yahoo", session: Session? = nil, chartOrigin: String = "https://query2.finance.yahoo.com",
    quoteOrigin: String = "https://query1.finance.yahoo.com", maximumBatchSize: Int = 50
  ) {
    self.id = id
    self.session = session
    self.chartOrigin = chartOrigin
    self.quoteOrigin = quoteOrigin
    self.capabilities = ProviderCapabilities(maximumBatchSize: session == nil ? 1 : maximumBatchSize)
  }

  public func providerSymbol(for symbol: Symbol) -> String? { symbol.text }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try mappedBatch(symbols)
    let accept = HTTPHeader(name: "Accept", value: "application/json")
    guard let session else {
      return HTTPRequestSpec(
        origin: chartOrigin, path: "/v8/finance/chart/" + HTTPRequestSpec.encodePathSegment(batch[0].providerSymbol),
        queryItems: [HTTPQueryItem(name: "interval", value: "1d"), HTTPQueryItem(name: "range", value: "1d")],
        headers: [accept], symbols: symbols)
    }
    return HTTPRequestSpec(
      origin: quoteOrigin, path: "/v7/finance/quote",
      queryItems: [
        HTTPQueryItem(name: "symbols", value: batch.map(\.providerSymbol).joined(separator: ",")),
        HTTPQueryItem(name: "crumb", value: session.crumb.revealedValue, isSensitive: true),
      ],
      headers: [accept, HTTPHeader(name: "Cookie", value: session.cookie.revealedValue, isSensitive: true)],
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
      document = try ResponseTriage.json(response, redacting: secrets)
    } catch {
      // Rate limits come as plain text, edge errors as HTML pages.
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    if let error = document["finance"]?["error"], !error.isNull { return try failure(error, response) }
    if session == nil {
      return try parseChart(document, response)
    }
    return try parseQuote(document, response)
  }

  private var secrets: [Secret] { session.map { [$0.crumb, $0.cookie] } ?? [] }

  private func parseChart(
    _ document: JSONValue, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    guard let chart = document["chart"], let symbol = response.symbols.first else {
      throw ResponseTriage.statusError(for: response) ?? ResponseTriage.malformed(response.body, redacting: secrets)
    }
    if let error = chart["error"], !error.isNull {
      if error["code"]?.stringValue == "Not Found" { return [symbol: .failure(.unknownSymbol(symbol))] }
      return try failure(error, response)
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let meta = chart["result"]?[0]?["meta"], meta.objectValue != nil else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    // The OHLC arrays went through 32-bit floats upstream (244.47000122070312); meta did not.
    let opens = chart["result"]?[0]?["indicators"]?["quote"]?[0]?["open"]?.arrayValue ?? []
    let open = opens.last(where: { !$0.isNull })?.doubleValue.map(PricePrecision.fromFloat32)
    let draft = QuoteDraft(
      price: meta["regularMarketPrice"]?.doubleValue,
      open: open, high: meta["regularMarketDayHigh"]?.doubleValue, low: meta["regularMarketDayLow"]?.doubleValue,
      previousClose: meta["chartPreviousClose"]?.doubleValue ?? meta["previousClose"]?.doubleValue,
      volume: meta["regularMarketVolume"]?.doubleValue, currency: meta["currency"]?.stringValue,
      asOf: .reading(meta["regularMarketTime"]) { $0.int64Value.flatMap(MarketTime.date(epochSeconds:)) })
    return [symbol: normalize(draft, symbol, priceHint: meta["priceHint"], response)]
  }

  private func parseQuote(
    _ document: JSONValue, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    guard let quoteResponse = document["quoteResponse"] else {
      throw ResponseTriage.statusError(for: response) ?? ResponseTriage.malformed(response.body, redacting: secrets)
    }
    if let error = quoteResponse["error"], !error.isNull { return try failure(error, response) }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let rows = quoteResponse["result"]?.arrayValue else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<NormalizedQuote, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      let draft = QuoteDraft(
        price: row["regularMarketPrice"]?.doubleValue, change: row["regularMarketChange"]?.doubleValue,
        // Already percent on v7 (-0.64062715 means -0.64 %).
        changePercent: row["regularMarketChangePercent"]?.doubleValue,
        open: row["regularMarketOpen"]?.doubleValue, high: row["regularMarketDayHigh"]?.doubleValue,
        low: row["regularMarketDayLow"]?.doubleValue, previousClose: row["regularMarketPreviousClose"]?.doubleValue,
        volume: row["regularMarketVolume"]?.doubleValue, currency: row["currency"]?.stringValue,
        asOf: .reading(row["regularMarketTime"]) { $0.int64Value.flatMap(MarketTime.date(epochSeconds:)) })
      quotes[symbol] = normalize(draft, symbol, priceHint: row["priceHint"], response)
    }
    for symbol in response.symbols where quotes[symbol] == nil { quotes[symbol] = .failure(.unknownSymbol(symbol)) }
    return quotes
  }

  /// `priceHint` is Yahoo's display precision; it can only add decimals (a penny stock's 4)
  /// to the asset-class default, never drop real ones (v7 prices carry 4 for a hint of 2).
  private func normalize(
    _ draft: QuoteDraft, _ symbol: Symbol, priceHint: JSONValue?, _ response: HTTPResponseSnapshot
  ) -> Result<NormalizedQuote, ProviderError> {
    let hint = priceHint?.int64Value.map { Int(min(max($0, 0), 10)) } ?? 0
    return draft.normalizedWithRepairs(
      symbol: symbol, decimals: max(hint, PricePrecision.decimals(for: symbol.assetClass)),
      receivedAt: response.receivedAt, source: response.source)
  }

  /// `{"code": "Unauthorized", "description": "Invalid Crumb"}` and its relatives, read by
  /// their words (code and description together); the status decides when they say nothing.
  private func failure(
    _ error: JSONValue, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    let words = [error["code"]?.stringValue, error["description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
    if let perSymbol = try ResponseTriage.classify(words, response) { return perSymbol }
    throw ResponseTriage.statusError(for: response) ?? ResponseTriage.malformed(response.body, redacting: secrets)
  }
}
