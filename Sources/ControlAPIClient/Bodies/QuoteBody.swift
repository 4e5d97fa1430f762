import Foundation
import MarketCore

/// One quote as the API serves it: the price with where it came from, how old it is, and
/// whether it is stale or simulated, so an agent never mistakes an old or fake price for a live one.
public struct QuoteBody: Codable, Sendable {
  public var symbol: String
  public var price: Double
  public var change: Double?
  public var changePercent: Double?
  public var open: Double?
  public var high: Double?
  public var low: Double?
  public var previousClose: Double?
  public var volume: Int64?
  public var currency: String?
  public var asOf: Date
  public var receivedAt: Date
  public var source: String
  public var ageSeconds: Double
  public var stale: Bool
  public var simulated: Bool
  /// Delayed by the exchange's terms (Cboe's 15 minutes): not live, whatever its age.
  public var delayed: Bool?
  public var origin: String

  enum CodingKeys: String, CodingKey {
    case symbol, price, change
    case changePercent = "change_percent"
    case open, high, low
    case previousClose = "previous_close"
    case volume, currency
    case asOf = "as_of"
    case receivedAt = "received_at"
    case source
    case ageSeconds = "age_seconds"
    case stale, simulated, delayed, origin
  }

  public init(_ served: ServedQuote) {
    let quote = served.quote
    symbol = quote.symbol.text
    price = quote.price
    change = quote.change?.finite
    changePercent = quote.changePercent?.finite
    open = quote.open?.finite
    high = quote.high?.finite
    low = quote.low?.finite
    previousClose = quote.previousClose?.finite
    volume = quote.volume
    currency = quote.currency
    asOf = quote.asOf
    receivedAt = quote.receivedAt
    source = quote.source.name
    ageSeconds = max(0, served.age.seconds)
    stale = served.isStale
    simulated = quote.isSimulated
    delayed = quote.isDelayed ? true : nil
    origin = served.origin.rawValue
  }
}

/// `GET /v1/quotes?symbols=...`: every symbol asked for lands in exactly one of the two lists,
/// in the order asked.
public struct BatchQuotesBody: Encodable {
  public var quotes: [QuoteBody]
  public var errors: [SymbolErrorBody]

  public init(quotes: [QuoteBody], errors: [SymbolErrorBody]) {
    self.quotes = quotes
    self.errors = errors
  }
}

public struct SymbolErrorBody: Encodable {
  public var symbol: String
  public var error: ErrorDetail

  public init(symbol: String, error: ErrorDetail) {
    self.symbol = symbol
    self.error = error
  }
}
