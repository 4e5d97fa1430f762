import Foundation
import MarketCore

/// One quote as the API serves it: the price with where it came from, how old it is, and
/// whether it is stale or simulated, so an agent never mistakes an old or fake price for a live one.
struct QuoteBody: Encodable {
  var symbol: String
  var price: Double
  var change: Double?
  var changePercent: Double?
  var open: Double?
  var high: Double?
  var low: Double?
  var previousClose: Double?
  var volume: Int64?
  var currency: String?
  var asOf: Date
  var receivedAt: Date
  var source: String
  var ageSeconds: Double
  var stale: Bool
  var simulated: Bool
  var origin: String

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
    case stale, simulated, origin
  }

  init(_ served: ServedQuote) {
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
    origin = served.origin.rawValue
  }
}

/// `GET /v1/quotes?symbols=...`: every symbol asked for lands in exactly one of the two lists,
/// in the order asked.
struct BatchQuotesBody: Encodable {
  var quotes: [QuoteBody]
  var errors: [SymbolErrorBody]
}

struct SymbolErrorBody: Encodable {
  var symbol: String
  var error: ErrorDetail
}
