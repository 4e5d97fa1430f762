import Foundation
import MarketCore

/// Alpha Vantage: `GLOBAL_QUOTE` for equities, `CURRENCY_EXCHANGE_RATE` for forex and crypto.
///
/// Every number is a string under a numbered key (`"05. price": "112.1300"`), the change
/// percent ends in `%`, and an unknown symbol is `{"Global Quote": {}}` (or, for a currency,
/// an `Error Message` saying "Invalid API call"). Failures arrive with HTTP 200, read by
/// their words: `Note` or `Information` for rate limits ("5 calls per minute", "1 request per
/// second"), the daily quota ("25 requests per day"), the demo key and premium endpoints;
/// `Error Message` for a missing or invalid key ("apikey is invalid or missing") or a symbol
/// it does not know. `GLOBAL_QUOTE` gives only the trading day, so its as-of time is that
/// day's close on the listing's exchange (or the receipt time, if earlier).
///
/// Listings on exchanges Alpha Vantage names with its own suffix are mapped to it (`VOD.L`
/// → `VOD.LON`); any other listing is sent as it is (`ASML.AS`: `GLOBAL_QUOTE` answers many
/// Yahoo-style symbols). Indices are refused up front: Alpha Vantage says it does not serve
/// them; so are futures, which none of its categories (stocks, currencies, crypto) covers.
public struct AlphaVantageAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  public let apiKey: Secret
  public let origin: String
  public let capabilities: ProviderCapabilities

  public init(id: ProviderID = "alpha-vantage", apiKey: Secret, origin: String = "https://www.alphavantage.co") {
    self.id = id
    self.apiKey = apiKey
    self.origin = origin
    self.capabilities = ProviderCapabilities(assetClasses: [.equity, .forex, .crypto], maximumBatchSize: 1)
  }

  /// Alpha Vantage's suffix for each canonical (Yahoo) suffix it spells otherwise, and the
  /// zone and closing time of every exchange we know, used to turn a bare trading day into
  /// an instant.
  private static let exchanges: [String: Exchange] = [
    "L": Exchange(suffix: "LON", zone: "Europe/London", close: "16:30"),
    "TO": Exchange(suffix: "TRT", zone: "America/Toronto", close: "16:00"),
    "V": Exchange(suffix: "TRV", zone: "America/Toronto", close: "16:00"),
    "DE": Exchange(suffix: "DEX", zone: "Europe/Berlin", close: "17:30"),
    "BO": Exchange(suffix: "BSE", zone: "Asia/Kolkata", close: "15:30"),
    "SS": Exchange(suffix: "SHH", zone: "Asia/Shanghai", close: "15:00"),
    "SZ": Exchange(suffix: "SHZ", zone: "Asia/Shanghai", close: "15:00"),
    "AS": Exchange(suffix: nil, zone: "Europe/Amsterdam", close: "17:30"),
    "PA": Exchange(suffix: nil, zone: "Europe/Paris", close: "17:30"),
    "HK": Exchange(suffix: nil, zone: "Asia/Hong_Kong", close: "16:00"),
  ]
  private static let unitedStates = Exchange(suffix: nil, zone: "America/New_York", close: "16:00")
  /// A listing on an exchange we know nothing about: the latest its trading day can end
  /// anywhere on Earth; the receipt time bounds it, so a quote fetched that day is dated by
  /// its receipt, never in the future.
  private static let elsewhere = Exchange(suffix: nil, zone: "Etc/GMT+12", close: "23:59")

  private struct Exchange {
    /// Alpha Vantage's own suffix, when it differs from Yahoo's.
    var suffix: String?
    var zone: String
    /// Local closing time of the regular session, `HH:MM`.
    var close: Substring
  }

  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    switch symbol.assetClass {
    case .equity:
      guard let suffix = symbol.exchangeSuffix, let own = Self.exchanges[String(suffix)]?.suffix else {
        return symbol.text
      }
      return symbol.localTicker + "." + own
    case .forex, .crypto:
      return symbol.currencyPair.map { $0.base + "/" + $0.quote } ?? symbol.text
    case .index, .future:
      return nil
    }
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (symbol, providerSymbol) = try mappedBatch(symbols)[0]
    var query: [HTTPQueryItem]
    if let pair = symbol.currencyPair {
      query = [
        HTTPQueryItem(name: "function", value: "CURRENCY_EXCHANGE_RATE"),
        HTTPQueryItem(name: "from_currency", value: pair.base), HTTPQueryItem(name: "to_currency", value: pair.quote),
      ]
    } else {
      query = [HTTPQueryItem(name: "function", value: "GLOBAL_QUOTE"), HTTPQueryItem(name: "symbol", value: providerSymbol)]
    }
    query.append(HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true))
    return HTTPRequestSpec(
      origin: origin, path: "/query", queryItems: query, headers: [HTTPHeader(name: "Accept", value: "application/json")],
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
      document = try ResponseTriage.json(response, redacting: [apiKey])
    } catch {
      if !response.isSuccess, let perSymbol = try ResponseTriage.classifyText(of: response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? error
    }
    if let message = document["Error Message"]?.stringValue {
      if let perSymbol = try ResponseTriage.classify(message, response) { return perSymbol }
      throw ResponseTriage.statusError(for: response) ?? .upstreamStatus(400)
    }
    if let message = document["Note"]?.stringValue ?? document["Information"]?.stringValue {
      if let perSymbol = try ResponseTriage.classify(message, response) { return perSymbol }
      // Alpha Vantage uses these keys for its limits; wording it has not used before is
      // still a limit, and one that passes.
      throw .rateLimited(retryAfter: ResponseTriage.retryAfter(in: response))
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let symbol = response.symbols.first else { return [:] }
    if let quote = document["Global Quote"]?.objectValue {
      if quote.isEmpty { return [symbol: .failure(.unknownSymbol(symbol))] }
      return [symbol: globalQuote(JSONValue.object(quote), symbol, response)]
    }
    if let rate = document["Realtime Currency Exchange Rate"]?.objectValue {
      if rate.isEmpty { return [symbol: .failure(.unknownSymbol(symbol))] }
      return [symbol: exchangeRate(JSONValue.object(rate), symbol, response)]
    }
    throw ResponseTriage.malformed(response.body, redacting: [apiKey])
  }

  private func globalQuote(
    _ quote: JSONValue, _ symbol: Symbol, _ response: HTTPResponseSnapshot
  ) -> Result<NormalizedQuote, ProviderError> {
    let exchange =
      symbol.exchangeSuffix.map { Self.exchanges[String($0)] ?? Self.elsewhere } ?? Self.unitedStates
    let tradingDay = quote["07. latest trading day"]?.stringValue
    guard let tradingDay, let close = Self.close(of: Substring(tradingDay), on: exchange) else {
      return .failure(QuoteDraft.malformed("no usable trading day for \(symbol)"))
    }
    let draft = QuoteDraft(
      price: quote["05. price"]?.doubleValue, change: quote["09. change"]?.doubleValue,
      changePercent: quote["10. change percent"]?.doubleValue, open: quote["02. open"]?.doubleValue,
      high: quote["03. high"]?.doubleValue, low: quote["04. low"]?.doubleValue,
      previousClose: quote["08. previous close"]?.doubleValue, volume: quote["06. volume"]?.doubleValue,
      // During the session the price is live (delayed), so the close bounds the as-of time.
      asOf: .at(min(close, response.receivedAt)))
    return draft.normalizedWithRepairs(
      symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
      source: response.source)
  }

  private func exchangeRate(
    _ rate: JSONValue, _ symbol: Symbol, _ response: HTTPResponseSnapshot
  ) -> Result<NormalizedQuote, ProviderError> {
    let zone = rate["7. Time Zone"]?.stringValue.flatMap { TimeZone(identifier: $0) } ?? MarketTime.utc
    let refreshed = QuoteDraft.AsOf.reading(rate["6. Last Refreshed"]) { value in
      value.stringValue.flatMap { MarketTime.date(iso8601: $0, assumedZone: zone) }
    }
    let draft = QuoteDraft(
      price: rate["5. Exchange Rate"]?.doubleValue, currency: rate["3. To_Currency Code"]?.stringValue,
      asOf: refreshed)
    return draft.normalizedWithRepairs(
      symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
      source: response.source)
  }

  private static func close(of tradingDay: Substring, on exchange: Exchange) -> Date? {
    guard let zone = TimeZone(identifier: exchange.zone) else { return nil }
    return MarketTime.date(localDate: tradingDay, time: exchange.close, in: zone)
  }
}
