/// How long to wait before each reconnection attempt: doubling from ``minimum`` up to
/// ``maximum``, then a random point in the upper half of that, so that the instances that lost
/// the same server do not all come back in the same millisecond.
///
/// Sans-I/O: the caller counts attempts and supplies the randomness.
public struct RedisReconnectBackoff: Sendable, Hashable {
  public var minimum: Duration
  public var maximum: Duration

  public init(minimum: Duration, maximum: Duration) {
    self.minimum = minimum
    self.maximum = max(minimum, maximum)
  }

  /// The wait before attempt `attempt` (0 for the first after a connection is lost), with
  /// `jitter` in `0...1` choosing where in the upper half of the ceiling it falls.
  public func delay(beforeAttempt attempt: Int, jitter: Double) -> Duration {
    let ceiling = self.ceiling(beforeAttempt: attempt)
    return ceiling / 2 + (ceiling / 2) * min(max(jitter, 0), 1)
  }

  /// The wait before attempt `attempt`, jittered by `generator`.
  public func delay(beforeAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
    delay(beforeAttempt: attempt, jitter: Double.random(in: 0...1, using: &generator))
  }

  /// The wait before attempt `attempt`, jittered by the system's generator.
  public func delay(beforeAttempt attempt: Int) -> Duration {
    var generator = SystemRandomNumberGenerator()
    return delay(beforeAttempt: attempt, using: &generator)
  }

  /// `minimum` doubled once per attempt, capped at `maximum`.
  func ceiling(beforeAttempt attempt: Int) -> Duration {
    // Past 62 doublings any minimum above zero has passed any maximum.
    let doublings = min(max(attempt, 0), 62)
    var ceiling = minimum
    for _ in 0..<doublings {
      guard ceiling < maximum else { break }
      ceiling *= 2
    }
    return min(ceiling, maximum)
  }
}
