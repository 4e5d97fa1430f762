import Foundation

/// Keeps a provider alone after it says "too many requests": until its Retry-After when it
/// gives one, else for an exponential delay (1 s, 2 s, 4 s … capped at 60 s by default) that
/// grows with each rate limit in a row and resets on the first call that gets through.
public struct RateLimitBackoff: Hashable, Sendable {
  public let initialDelay: Duration
  public let maximumDelay: Duration
  public private(set) var blockedUntil: MarketInstant?
  /// Rate-limit replies since the last call that got through.
  public private(set) var consecutiveRateLimits = 0

  public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60)) {
    self.initialDelay = max(.zero, initialDelay)
    self.maximumDelay = max(self.initialDelay, maximumDelay)
  }

  /// Blocks the provider after a rate-limit reply; returns how long for. A Retry-After is
  /// obeyed as given (never shortened by an earlier, longer block).
  @discardableResult
  public mutating func recordRateLimited(retryAfter: Duration?, at now: MarketInstant) -> Duration {
    consecutiveRateLimits += 1
    let delay = retryAfter.map { max(.zero, $0) } ?? exponentialDelay(forRateLimit: consecutiveRateLimits)
    let until = now + delay
    blockedUntil = max(blockedUntil ?? until, until)
    return delay
  }

  /// A call got through: the next rate limit without Retry-After starts again at the
  /// initial delay. An active block stays until it ends.
  public mutating func recordSuccess() {
    consecutiveRateLimits = 0
  }

  /// How much longer the provider is blocked, or nil when it is not.
  public func remaining(at now: MarketInstant) -> Duration? {
    guard let blockedUntil, blockedUntil > now else { return nil }
    return blockedUntil - now
  }

  /// `min(initialDelay × 2^(n − 1), maximumDelay)` for the n-th rate limit in a row.
  public func exponentialDelay(forRateLimit count: Int) -> Duration {
    let exponent = Double(min(62, max(0, count - 1)))
    let scaled = Double(initialDelay.nanoseconds) * Foundation.pow(2, exponent)
    return .nanoseconds(Int64(min(scaled, Double(maximumDelay.nanoseconds))))
  }
}
