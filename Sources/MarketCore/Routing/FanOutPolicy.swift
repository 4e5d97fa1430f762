/// How several candidate providers are asked for one quote.
public enum FanOutPolicy: Hashable, Sendable, CustomStringConvertible {
  /// One at a time, in routing order, until one answers.
  case failover
  /// Every candidate at once; the first success wins, the rest are cancelled.
  case firstWins
  /// The best candidate first; if it has not answered by its recent latency at
  /// `delayPercentile` (clamped to the bounds), the next as well, while extra requests stay
  /// under `maximumExtraRatio`. A lower percentile hedges sooner and more often: about
  /// `(100 - delayPercentile)` % of requests, so keep it above `100 × (1 - maximumExtraRatio)`
  /// or the budget, not the delay, decides which slow requests get a hedge.
  case hedged(maximumExtraRatio: Double, delayPercentile: Double, minimumDelay: Duration, maximumDelay: Duration)

  /// The Tail at Scale's recipe: hedge after the p95, for a few percent more requests.
  public static let hedgedDefault = FanOutPolicy.hedged(
    maximumExtraRatio: 0.1, delayPercentile: 95, minimumDelay: .milliseconds(10), maximumDelay: .seconds(2))

  public var description: String {
    switch self {
    case .failover: "failover"
    case .firstWins: "firstWins"
    case .hedged: "hedged"
    }
  }
}
