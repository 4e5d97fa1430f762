/// How several candidate providers are asked for one quote.
public enum FanOutPolicy: Hashable, Sendable, CustomStringConvertible {
  /// One at a time, in routing order, until one answers.
  case failover
  /// Every candidate at once; the first success wins, the rest are cancelled.
  case firstWins
  /// The best candidate first; if it has not answered after `delay` (clamped to the bounds),
  /// the next as well, while extra requests (hedges and failovers) stay under
  /// `maximumExtraRatio` of quotes.
  case hedged(maximumExtraRatio: Double, delay: HedgeDelay, minimumDelay: Duration, maximumDelay: Duration)

  /// Hedge after the delay the tuner picks, for at most 15 % extra requests.
  public static let hedgedDefault = FanOutPolicy.hedged(
    maximumExtraRatio: 0.15, delay: .tuned, minimumDelay: .milliseconds(10), maximumDelay: .seconds(2))

  public var description: String {
    switch self {
    case .failover: "failover"
    case .firstWins: "firstWins"
    case .hedged: "hedged"
    }
  }
}

/// When a hedged quote asks its second provider.
public enum HedgeDelay: Hashable, Sendable {
  /// The delay that minimizes the quote's p99 within the budget, from both providers' live
  /// latency (``HedgeDelayTuner``).
  case tuned
  /// The first provider's recent latency at this percentile (50...99.9), "The Tail at
  /// Scale"'s recipe. About `(100 - percentile)` % of quotes are hedged, so keep it above
  /// `100 × (1 - maximumExtraRatio)` or the budget, not the delay, decides which slow
  /// requests get a hedge.
  case percentile(Double)
}
