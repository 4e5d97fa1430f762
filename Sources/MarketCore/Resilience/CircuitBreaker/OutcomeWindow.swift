/// The calls a breaker judges by: a count-based ring of the last N outcomes, or a time-based
/// ring of per-second buckets (Resilience4j's `FixedSizeSlidingWindowMetrics` and
/// `SlidingTimeWindowMetrics`). Both keep aggregates only, never a list of calls.
struct OutcomeWindow: Hashable, Sendable {
  /// Totals over the window at one instant.
  struct Snapshot: Hashable, Sendable {
    var calls = 0
    var failedCalls = 0
    var slowCalls = 0

    /// Failure rate in percent, or nil below the minimum number of calls.
    func failureRate(minimumCalls: Int) -> Double? {
      guard calls > 0, calls >= minimumCalls else { return nil }
      return Double(failedCalls) * 100 / Double(calls)
    }

    func slowCallRate(minimumCalls: Int) -> Double? {
      guard calls > 0, calls >= minimumCalls else { return nil }
      return Double(slowCalls) * 100 / Double(calls)
    }
  }

  private struct Bucket: Hashable, Sendable {
    /// Whole seconds on the breaker's timeline this bucket counts; `.min` when unused.
    var second: Int64 = .min
    var totals = Snapshot()
  }

  private enum Storage: Hashable, Sendable {
    /// Bit 0: failed, bit 1: slow. `next` is where the next outcome goes.
    case count(outcomes: [UInt8], next: Int, filled: Int, totals: Snapshot)
    case time(buckets: [Bucket])
  }

  private var storage: Storage
  /// Calls required before any rate is computed.
  let minimumCalls: Int

  /// A window of the last `size` calls.
  init(lastCalls size: Int, minimumCalls: Int) {
    let size = max(1, size)
    storage = .count(outcomes: Array(repeating: 0, count: size), next: 0, filled: 0, totals: Snapshot())
    self.minimumCalls = max(1, min(minimumCalls, size))
  }

  /// A window of the calls in the last `seconds` whole seconds.
  init(lastSeconds seconds: Int, minimumCalls: Int) {
    storage = .time(buckets: Array(repeating: Bucket(), count: max(1, seconds)))
    self.minimumCalls = max(1, minimumCalls)
  }

  init(_ configuration: CircuitBreakerConfiguration) {
    switch configuration.slidingWindow {
    case .countBased(let size):
      self.init(lastCalls: size, minimumCalls: configuration.minimumNumberOfCalls)
    case .timeBased:
      self.init(lastSeconds: configuration.windowSeconds ?? 1, minimumCalls: configuration.minimumNumberOfCalls)
    }
  }

  /// Adds one call and returns the totals including it.
  mutating func record(failed: Bool, slow: Bool, at instant: MarketInstant) -> Snapshot {
    switch storage {
    case .count(var outcomes, var next, var filled, var totals):
      if filled == outcomes.count {
        let evicted = outcomes[next]
        totals.calls -= 1
        if evicted & 1 != 0 { totals.failedCalls -= 1 }
        if evicted & 2 != 0 { totals.slowCalls -= 1 }
      } else {
        filled += 1
      }
      outcomes[next] = (failed ? 1 : 0) | (slow ? 2 : 0)
      next = (next + 1) % outcomes.count
      totals.add(failed: failed, slow: slow)
      storage = .count(outcomes: outcomes, next: next, filled: filled, totals: totals)
      return totals
    case .time(var buckets):
      let second = Self.second(of: instant)
      let index = Self.index(of: second, count: buckets.count)
      if buckets[index].second != second { buckets[index] = Bucket(second: second) }
      buckets[index].totals.add(failed: failed, slow: slow)
      storage = .time(buckets: buckets)
      return Self.sum(buckets, at: second)
    }
  }

  /// Totals as of `instant`: a time-based window leaves out buckets older than its span.
  func snapshot(at instant: MarketInstant) -> Snapshot {
    switch storage {
    case .count(_, _, _, let totals): totals
    case .time(let buckets): Self.sum(buckets, at: Self.second(of: instant))
    }
  }

  private static func sum(_ buckets: [Bucket], at second: Int64) -> Snapshot {
    let oldest = second &- Int64(buckets.count) &+ 1
    var totals = Snapshot()
    for bucket in buckets where bucket.second >= oldest && bucket.second <= second {
      totals.calls += bucket.totals.calls
      totals.failedCalls += bucket.totals.failedCalls
      totals.slowCalls += bucket.totals.slowCalls
    }
    return totals
  }

  private static func second(of instant: MarketInstant) -> Int64 {
    let (quotient, remainder) = instant.nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
    return remainder < 0 ? quotient - 1 : quotient
  }

  private static func index(of second: Int64, count: Int) -> Int {
    let remainder = Int(second % Int64(count))
    return remainder < 0 ? remainder + count : remainder
  }
}

extension OutcomeWindow.Snapshot {
  fileprivate mutating func add(failed: Bool, slow: Bool) {
    calls += 1
    if failed { failedCalls += 1 }
    if slow { slowCalls += 1 }
  }
}
