import Foundation
import MarketCore

/// The fields an adapter read from one body, before normalisation into a ``Quote``.
///
/// Every adapter fills one of these in its provider's terms (percent already in percent
/// units) and calls ``normalized(symbol:decimals:receivedAt:source:)``, so rounding, derived
/// change values and the sanity checks are the same whichever provider answered.
struct QuoteDraft {
  var price: Double?
  var change: Double?
  /// Percent units (1.25 means 1.25 %); adapters convert fractions before setting it.
  var changePercent: Double?
  var open: Double?
  var high: Double?
  var low: Double?
  var previousClose: Double?
  var volume: Double?
  var currency: String?
  /// When the provider says the price was true.
  var asOf: AsOf = .unstated
  /// The provider publishes this price with a deliberate delay (Cboe's 15 minutes).
  var isDelayed = false

  /// A provider that gives no time gets the receipt time; one that gives a time we cannot
  /// read (a unit mix-up, garbage) gets a malformed quote, never a falsely fresh one.
  enum AsOf {
    case unstated
    case unreadable
    case at(Date)

    /// Reads `value` with `read`; absent or null is unstated, anything unreadable is unreadable.
    static func reading(_ value: JSONValue?, _ read: (JSONValue) -> Date?) -> AsOf {
      guard let value, !value.isNull else { return .unstated }
      return read(value).map(AsOf.at) ?? .unreadable
    }
  }

  /// No real instrument trades above this in any currency; larger values are garbage.
  static let maximumPlausiblePrice = 1e12
  /// A change beyond this many percent is a unit error, not a market move; it is dropped.
  static let maximumPlausibleChangePercent = 1e6
  /// Providers' clocks drift, but an as-of time more than a day ahead is a unit mix-up.
  static let futureTolerance: TimeInterval = 86_400

  /// The normalised quote, or `.malformedBody` when a value cannot be right: no price, a
  /// non-positive or non-finite price, a negative auxiliary price, an as-of far in the future.
  ///
  /// Prices are rounded to `decimals` (removing float noise such as 244.47000122070312),
  /// percent to four decimals; a missing change or change percent is derived from the
  /// previous close; an unstated as-of time falls back to `receivedAt`.
  func normalized(symbol: Symbol, decimals: Int, receivedAt: Date, source: ProviderID) -> Result<Quote, ProviderError> {
    normalizedWithRepairs(symbol: symbol, decimals: decimals, receivedAt: receivedAt, source: source).map(\.quote)
  }

  /// ``normalized(symbol:decimals:receivedAt:source:)``, and the fields it had to repair.
  ///
  /// Where the provider's own fields disagree (its change is not price minus previous close,
  /// or its change percent is not that change over the previous close: a stale field, a sign
  /// slip, a fraction sent as percent), the price and the previous close are believed and the
  /// change fields are recomputed from them; each such repair is listed so the core can tell.
  func normalizedWithRepairs(
    symbol: Symbol, decimals: Int, receivedAt: Date, source: ProviderID
  ) -> Result<NormalizedQuote, ProviderError> {
    guard let rawPrice = price else { return .failure(Self.malformed("no price for \(symbol)")) }
    guard rawPrice.isFinite, rawPrice > 0, rawPrice < Self.maximumPlausiblePrice else {
      return .failure(Self.malformed("implausible price \(rawPrice) for \(symbol)"))
    }
    var auxiliary: [Double?] = []
    for (name, value) in [("open", open), ("high", high), ("low", low), ("previous close", previousClose)] {
      guard let value else {
        auxiliary.append(nil)
        continue
      }
      guard value.isFinite, value >= 0, value < Self.maximumPlausiblePrice else {
        return .failure(Self.malformed("implausible \(name) \(value) for \(symbol)"))
      }
      // Zero is how several providers say "no value yet" (before the open, for instance).
      auxiliary.append(value == 0 ? nil : value.rounded(toDecimals: decimals))
    }
    let asOf: Date
    switch self.asOf {
    case .unstated: asOf = receivedAt
    case .unreadable: return .failure(Self.malformed("unreadable as-of time for \(symbol)"))
    case .at(let date):
      guard date.timeIntervalSince(receivedAt) <= Self.futureTolerance else {
        return .failure(Self.malformed("as-of \(date) is after receipt for \(symbol)"))
      }
      asOf = date
    }
    let price = rawPrice.rounded(toDecimals: decimals)
    let previousClose = auxiliary[3]
    var change = self.change.flatMap { $0.isFinite ? $0.rounded(toDecimals: decimals) : nil }
    var changePercent = self.changePercent.flatMap { value -> Double? in
      guard value.isFinite, abs(value) < Self.maximumPlausibleChangePercent else { return nil }
      return value.rounded(toDecimals: 4)
    }
    var repairs: [QuoteRepair] = []
    if let previousClose {
      let difference = price - previousClose
      let derivedChange = difference.rounded(toDecimals: decimals)
      let derivedPercent = (difference / previousClose * 100).rounded(toDecimals: 4)
      // What two honest fields taken a moment apart can differ by: a tenth of a percent of
      // the price, and never less than two steps of the rounding.
      let changeTolerance = max(Self.consistencyTolerance * price, 2 * pow(10, -Double(decimals)))
      let percentTolerance = 100 * changeTolerance / previousClose + 0.0001
      if let reported = change, abs(reported - derivedChange) > changeTolerance {
        repairs.append(.changeRecomputed(reported: reported, recomputed: derivedChange))
        change = derivedChange
      }
      if let reported = changePercent, abs(reported - derivedPercent) > percentTolerance {
        repairs.append(.changePercentRecomputed(reported: reported, recomputed: derivedPercent))
        changePercent = derivedPercent
      }
      if change == nil { change = derivedChange }
      if changePercent == nil { changePercent = derivedPercent }
    }
    let quote = Quote(
      symbol: symbol, price: price, change: change, changePercent: changePercent, open: auxiliary[0],
      high: auxiliary[1], low: auxiliary[2], previousClose: previousClose, volume: Self.volume(volume),
      currency: Self.currencyCode(currency), asOf: asOf, receivedAt: receivedAt, source: source,
      isSimulated: false, isDelayed: isDelayed)
    return .success(NormalizedQuote(quote: quote, repairs: repairs))
  }

  /// How far, as a fraction of the price, a reported change may stray from price minus
  /// previous close before it counts as disagreeing.
  static let consistencyTolerance = 0.001

  static func malformed(_ reason: String) -> ProviderError {
    .malformedBody(excerpt: ProviderError.sanitizedExcerpt(reason))
  }

  /// Whole, non-negative and representable, or nothing: volume is informative, not essential.
  private static func volume(_ value: Double?) -> Int64? {
    guard let value, value.isFinite, value >= 0 else { return nil }
    return NumberParsing.exactInt64(value.rounded())
  }

  /// An ISO-4217-like code (`USD`, `USDT`), upper-cased; anything else is dropped.
  private static func currencyCode(_ text: String?) -> String? {
    guard let text, (3...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
    return text.uppercased()
  }
}

/// A quote as normalised, and the provider's fields that normalisation had to repair.
///
/// The core cannot see inside an adapter; this is how a repair becomes visible to it (as a
/// data-quality event) without a field on ``Quote`` for it.
public struct NormalizedQuote: Hashable, Sendable {
  public var quote: Quote
  /// Empty when every field the provider sent agreed with the others.
  public var repairs: [QuoteRepair]

  public init(quote: Quote, repairs: [QuoteRepair] = []) {
    self.quote = quote
    self.repairs = repairs
  }
}

/// One of a provider's fields that contradicted its others and was recomputed.
public enum QuoteRepair: Hashable, Sendable, CustomStringConvertible {
  /// The change disagreed with price minus previous close.
  case changeRecomputed(reported: Double, recomputed: Double)
  /// The change percent disagreed with the change over the previous close.
  case changePercentRecomputed(reported: Double, recomputed: Double)

  /// The repaired field's name, for metric labels and event texts.
  public var field: String {
    switch self {
    case .changeRecomputed: "change"
    case .changePercentRecomputed: "change_percent"
    }
  }

  public var description: String {
    switch self {
    case .changeRecomputed(let reported, let recomputed):
      "change \(reported) disagreed with price minus previous close; recomputed as \(recomputed)"
    case .changePercentRecomputed(let reported, let recomputed):
      "change percent \(reported) disagreed with price and previous close; recomputed as \(recomputed)"
    }
  }
}

/// How many decimals a price keeps, by asset class, unless an adapter knows better.
///
/// Enough for every real tick size we have seen (equities to 1/10,000, forex to pipettes,
/// crypto to satoshi-like steps) and few enough to drop binary float noise.
enum PricePrecision {
  static func decimals(for assetClass: AssetClass) -> Int {
    switch assetClass {
    case .equity, .index, .future: 4
    case .forex: 6
    case .crypto: 8
    }
  }

  /// A value that went through a 32-bit float upstream (Yahoo's OHLC arrays) has about seven
  /// significant digits of truth; the rest is noise.
  static func fromFloat32(_ value: Double) -> Double {
    guard value.isFinite, value != 0 else { return value }
    let magnitude = Int(floor(log10(abs(value))))
    return value.rounded(toDecimals: max(0, 6 - magnitude))
  }
}
