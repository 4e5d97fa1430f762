import Foundation

/// Checks that keep values that cannot be right out of the cache: a non-positive or
/// non-finite price, an as-of time in the future, an as-of time older than what is already
/// held; and notices when two providers disagree about one symbol.
public struct DataQuality: Hashable, Sendable {
  /// Providers' clocks drift a little; beyond this an as-of time is "in the future".
  public var futureTolerance: Duration = .seconds(120)
  /// Two providers whose prices differ by more than this fraction...
  public var divergenceThreshold: Double = 0.05
  /// ...within this long of each other raise a divergence event.
  public var divergenceWindow: Duration = .seconds(60)

  public init() {}

  /// Why a freshly fetched quote must be refused, or nil when it may be kept.
  public func problem(with quote: Quote) -> String? {
    guard quote.price.isFinite, quote.price > 0 else {
      return "\(quote.symbol) price \(quote.price) from \(quote.source) is not a positive number"
    }
    for (name, value) in [
      ("open", quote.open), ("high", quote.high), ("low", quote.low), ("previous close", quote.previousClose),
    ] {
      if let value, !(value.isFinite && value >= 0) {
        return "\(quote.symbol) \(name) \(value) from \(quote.source) is not a price"
      }
    }
    if quote.asOf.timeIntervalSince(quote.receivedAt) > futureTolerance.seconds {
      return
        "\(quote.symbol) from \(quote.source) is dated \(Int(quote.asOf.timeIntervalSince(quote.receivedAt))) s in the future"
    }
    return nil
  }

  /// Whether `quote` would move the symbol's as-of time backwards from `held`.
  public func goesBackwards(_ quote: Quote, from held: Quote) -> Bool {
    quote.asOf < held.asOf
  }

  /// A description of the disagreement when `quote` and another provider's recent quote for
  /// the same symbol differ by more than the threshold.
  public func divergence(between quote: Quote, and other: Quote) -> String? {
    guard other.source != quote.source, abs(quote.receivedAt.timeIntervalSince(other.receivedAt)) <= divergenceWindow.seconds
    else { return nil }
    let reference = max(abs(other.price), .leastNonzeroMagnitude)
    let difference = abs(quote.price - other.price) / reference
    guard difference > divergenceThreshold else { return nil }
    return "\(quote.symbol): \(quote.source) says \(quote.price), \(other.source) says \(other.price) "
      + "(\(String(format: "%.1f", difference * 100))% apart); serving \(quote.source)'s"
  }
}
