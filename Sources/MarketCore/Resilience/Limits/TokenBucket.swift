/// A token bucket: up to `burst` calls at once, then `rate` calls per unit of time. Refills
/// lazily from the instant it is asked at, so it needs no timer.
public struct TokenBucket: Hashable, Sendable {
  public enum Rate: Hashable, Sendable {
    case perSecond(Double)
    case perMinute(Double)

    public var tokensPerSecond: Double {
      switch self {
      case .perSecond(let value): max(0, value)
      case .perMinute(let value): max(0, value) / 60
      }
    }
  }

  public let rate: Rate
  public let burst: Double
  private var tokens: Double
  private var refilledAt: MarketInstant

  /// Starts full.
  public init(rate: Rate, burst: Int, at start: MarketInstant = .origin) {
    self.rate = rate
    self.burst = Double(max(1, burst))
    self.tokens = self.burst
    self.refilledAt = start
  }

  /// Tokens available at `now`.
  public func available(at now: MarketInstant) -> Double {
    let elapsed = max(.zero, now - refilledAt)
    return min(burst, tokens + elapsed.seconds * rate.tokensPerSecond)
  }

  /// How long until `count` tokens are available; zero when they are now, nil when they
  /// never will be (a zero rate, or more than the burst).
  public func waitTime(for count: Double = 1, at now: MarketInstant) -> Duration? {
    let missing = count - available(at: now)
    guard missing > 0 else { return .zero }
    guard count <= burst, rate.tokensPerSecond > 0 else { return nil }
    return .nanoseconds(Int64((missing / rate.tokensPerSecond * 1e9).rounded(.up)))
  }

  /// Puts back `count` tokens taken for a call that never went out, never above the burst.
  public mutating func giveBack(_ count: Double = 1) {
    tokens = min(burst, tokens + max(0, count))
  }

  /// Takes `count` tokens if they are there.
  public mutating func tryTake(_ count: Double = 1, at now: MarketInstant) -> Bool {
    let current = available(at: now)
    if now > refilledAt {
      tokens = current
      refilledAt = now
    }
    guard current >= count else { return false }
    tokens = current - count
    return true
  }
}
