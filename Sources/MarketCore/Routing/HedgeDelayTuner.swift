/// Picks how long a hedged quote waits before it asks a second provider, from both
/// providers' live latency estimates, so that the quote's p99 is as low as a hedge-once
/// policy can get within its share of extra requests.
///
/// With independent providers, a quote hedged after `d` is later than `T` only if the first
/// request takes over `T` and the hedge, sent at `d`, takes over `T - d`:
/// `P(late T) = S1(T) × S2(T - d)` for `T ≥ d`, where `S1` and `S2` are the chances a call to
/// the first and to the second provider is slower than a given time. The predicted p99 is
/// the least `T` with `P(late T) ≤ 1 %`. The share of quotes that get a hedge is `S1(d)`, so
/// the budget sets the earliest delay allowed; a later delay never lowers the p99, but when
/// it costs (almost) nothing in p99 it saves requests, so the tuner takes the latest delay
/// whose predicted p99 is within `tolerance` of the best. A tight provider (no long tail)
/// is then hedged late and rarely; a heavy-tailed one as early as the budget allows.
///
/// This is the computation `lianyaohu-bench routing` prints as the bound, done online on
/// the estimates ``HealthTracker/survival(at:minimumSamples:)`` gives, which follow the
/// newest calls, so the delay follows when the latency's shape changes.
public enum HedgeDelayTuner {
  /// How late, at most, a quote may be at the percentile the tuner minimizes.
  public static let targetPercentile = 99.0

  /// The share of quotes that may get a hedge: the budget's extra-request ratio, less what
  /// failovers already spend (a provider's error rate; the budget charges them too), less a
  /// twentieth for slack. A budget spent to the last token runs dry in bursts, and the
  /// quotes left unhedged then are exactly the slowest.
  public static func hedgeShare(extraRatio: Double, failoverRate: Double) -> Double {
    guard extraRatio.isFinite, failoverRate.isFinite else { return 0 }
    return max(0, min(1, extraRatio) - max(0, failoverRate)) * 0.95
  }

  /// Below this many calls the second provider's estimate is not used: it is taken to be
  /// like the first. (A second-tier provider hears only hedges and failovers; assuming it
  /// never answers would hedge late, and it would never be heard enough to learn otherwise.)
  public static let minimumHedgeSamples = 20

  /// The delay, or nil when the first provider's estimate cannot place it (too few calls).
  public static func delay(
    primary: LatencySurvival, hedge: LatencySurvival, hedgeShare: Double, tolerance: Double = 0.005
  ) -> Duration? {
    let hedge = hedge.sampleCount < minimumHedgeSamples ? primary : hedge
    guard hedgeShare > 0, let earliest = primary.latency(finishing: 1 - min(1, hedgeShare)) else { return nil }
    let latest = max(earliest, primary.latency(finishing: 0.995) ?? primary.slowestAnswer ?? earliest)
    var candidates: [Double] = []
    var delay = Double(max(1, earliest))
    while delay < Double(latest), candidates.count < 48 {
      candidates.append(delay)
      delay *= 1.06
    }
    candidates.append(Double(latest))
    let predicted = candidates.map { predictedLatency(primary: primary, hedge: hedge, delay: $0) }
    guard let best = predicted.min(), best.isFinite else { return .microseconds(Int64(earliest)) }
    let chosen = candidates.indices.last { predicted[$0] <= best * (1 + tolerance) } ?? 0
    return .microseconds(Int64(candidates[chosen]))
  }

  /// The least `T` (µs) with `P(late T) ≤ 1 - targetPercentile / 100` when hedging after
  /// `delay`; infinity when the estimates never get that low.
  public static func predictedLatency(primary: LatencySurvival, hedge: LatencySurvival, delay: Double) -> Double {
    let allowed = 1 - targetPercentile / 100
    func late(_ time: Double) -> Double {
      let first = primary.fractionSlower(than: time)
      return time < delay ? first : first * hedge.fractionSlower(than: time - delay)
    }
    var high = Double(max(primary.slowestAnswer ?? 1, (hedge.slowestAnswer ?? 0) + UInt64(delay)))
    guard late(high) <= allowed else { return .infinity }
    var low = 0.0
    for _ in 0..<40 where high - low > 1 {
      let middle = (low + high) / 2
      if late(middle) <= allowed { high = middle } else { low = middle }
    }
    return high
  }
}
