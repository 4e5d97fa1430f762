import MarketCore

/// How long to wait before the next attempt to reach a remote core: doubling from `initial`
/// up to `maximum`, each delay spread by ±`jitter` so many dashboards that lost the same
/// server do not all come back in the same instant. Sans-I/O: the caller sleeps.
struct ReconnectBackoff: Sendable {
  var initial: Duration = .milliseconds(500)
  var maximum: Duration = .seconds(10)
  /// Fraction of each delay added or taken away at random, 0 to 1.
  var jitter = 0.2
  /// Failed attempts since the last good connection.
  private(set) var failures = 0

  init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10), jitter: Double = 0.2) {
    self.initial = initial
    self.maximum = max(initial, maximum)
    self.jitter = min(max(0, jitter), 1)
  }

  /// Records a failed attempt and returns the wait before the next one (never above `maximum`).
  mutating func nextDelay(using random: inout some RandomNumberGenerator) -> Duration {
    let doublings = min(failures, 30)
    failures += 1
    let base = min(initial.seconds * Double(1 << doublings), maximum.seconds)
    let spread = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...(1 + jitter), using: &random)
    let seconds = min(base * spread, maximum.seconds)
    return .nanoseconds(Int64((seconds * 1e9).rounded()))
  }

  /// The connection works again: the next failure starts from `initial`.
  mutating func reset() { failures = 0 }
}
