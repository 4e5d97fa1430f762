import Foundation

/// How a ``CircuitBreaker`` judges a provider. Names and meanings follow Resilience4j's
/// `CircuitBreakerConfig`; the defaults are tuned for quote providers that answer in well
/// under a second when healthy.
public struct CircuitBreakerConfiguration: Hashable, Sendable {
  /// What the closed state's failure and slow-call rates are computed over.
  public enum SlidingWindow: Hashable, Sendable {
    /// The last `size` calls.
    case countBased(size: Int)
    /// The calls of the last `duration`, kept in one bucket per second (rounded up to whole
    /// seconds, at least one).
    case timeBased(duration: Duration)
  }

  public var slidingWindow: SlidingWindow
  /// Opens when the failure rate is at or above this, in percent (0, 100].
  public var failureRateThreshold: Double
  /// Opens when the share of slow calls is at or above this, in percent (0, 100].
  public var slowCallRateThreshold: Double
  /// A call that takes longer than this is slow (whether it succeeded or failed).
  public var slowCallDurationThreshold: Duration
  /// No rate is computed, so the breaker cannot open, before this many calls are in the
  /// window (a count-based window caps it at its size).
  public var minimumNumberOfCalls: Int
  /// Probe calls let through in half-open; their rates decide between closed and open.
  public var permittedCallsInHalfOpen: Int
  /// How long the first opening lasts before a probe is allowed.
  public var waitDurationInOpen: Duration
  /// Each consecutive opening (open → half-open → open without closing in between) waits
  /// this many times longer than the previous one; 1 turns backoff off.
  public var waitMultiplier: Double
  /// Backoff never waits longer than this.
  public var maximumWaitDurationInOpen: Duration
  /// Whether ``CircuitBreaker/advance(to:)`` moves open → half-open once the wait is over.
  /// Either way, the first ``CircuitBreaker/acquirePermission(at:)`` after the wait does.
  public var automaticTransitionFromOpenToHalfOpen: Bool
  /// A half-open breaker whose probes have not produced a verdict in this time opens again;
  /// `nil` waits forever.
  public var maximumWaitInHalfOpen: Duration?
  public var failureClassification: FailureClassification

  /// Defaults for a market-data desk: judge the last 20 calls once 10 are in; open at 50 %
  /// failures or when every call takes over 3 s; wait 15 s, doubling per consecutive opening
  /// up to 2 min; probe with 3 calls and give them 30 s to report.
  public init(
    slidingWindow: SlidingWindow = .countBased(size: 20),
    failureRateThreshold: Double = 50,
    slowCallRateThreshold: Double = 100,
    slowCallDurationThreshold: Duration = .seconds(3),
    minimumNumberOfCalls: Int = 10,
    permittedCallsInHalfOpen: Int = 3,
    waitDurationInOpen: Duration = .seconds(15),
    waitMultiplier: Double = 2,
    maximumWaitDurationInOpen: Duration = .seconds(120),
    automaticTransitionFromOpenToHalfOpen: Bool = true,
    maximumWaitInHalfOpen: Duration? = .seconds(30),
    failureClassification: FailureClassification = .default
  ) {
    self.slidingWindow = slidingWindow
    self.failureRateThreshold = failureRateThreshold
    self.slowCallRateThreshold = slowCallRateThreshold
    self.slowCallDurationThreshold = slowCallDurationThreshold
    self.minimumNumberOfCalls = minimumNumberOfCalls
    self.permittedCallsInHalfOpen = permittedCallsInHalfOpen
    self.waitDurationInOpen = waitDurationInOpen
    self.waitMultiplier = waitMultiplier
    self.maximumWaitDurationInOpen = maximumWaitDurationInOpen
    self.automaticTransitionFromOpenToHalfOpen = automaticTransitionFromOpenToHalfOpen
    self.maximumWaitInHalfOpen = maximumWaitInHalfOpen
    self.failureClassification = failureClassification
  }

  /// The same configuration with every value forced into its valid range, so a typo in a
  /// configuration file degrades the breaker instead of crashing the process. The
  /// configuration loader is the place to reject bad values loudly.
  public var normalized: CircuitBreakerConfiguration {
    var copy = self
    switch slidingWindow {
    case .countBased(let size): copy.slidingWindow = .countBased(size: max(1, size))
    case .timeBased(let duration): copy.slidingWindow = .timeBased(duration: max(.seconds(1), duration))
    }
    copy.failureRateThreshold = Self.percent(failureRateThreshold)
    copy.slowCallRateThreshold = Self.percent(slowCallRateThreshold)
    copy.slowCallDurationThreshold = max(.zero, slowCallDurationThreshold)
    copy.minimumNumberOfCalls = max(1, minimumNumberOfCalls)
    copy.permittedCallsInHalfOpen = max(1, permittedCallsInHalfOpen)
    copy.waitDurationInOpen = max(.zero, waitDurationInOpen)
    copy.waitMultiplier = waitMultiplier.isFinite ? max(1, waitMultiplier) : 1
    copy.maximumWaitDurationInOpen = max(copy.waitDurationInOpen, maximumWaitDurationInOpen)
    copy.maximumWaitInHalfOpen = maximumWaitInHalfOpen.map { max(.nanoseconds(1), $0) }
    return copy
  }

  /// How long the `opening`-th consecutive opening waits (1 for the first):
  /// `min(waitDurationInOpen × waitMultiplier^(opening − 1), maximumWaitDurationInOpen)`.
  public func waitDuration(forOpening opening: Int) -> Duration {
    let base = Double(waitDurationInOpen.nanoseconds)
    let maximum = Double(max(waitDurationInOpen, maximumWaitDurationInOpen).nanoseconds)
    let scaled = base * Foundation.pow(max(1, waitMultiplier), Double(max(0, opening - 1)))
    return .nanoseconds(Int64(min(scaled, maximum)))
  }

  /// Seconds covered by a time-based window; nil for a count-based one.
  var windowSeconds: Int? {
    guard case .timeBased(let duration) = slidingWindow else { return nil }
    let nanoseconds = max(1_000_000_000, duration.nanoseconds)
    return Int((nanoseconds - 1) / 1_000_000_000 + 1)
  }

  private static func percent(_ value: Double) -> Double {
    guard value.isFinite else { return 100 }
    return min(100, max(0.000_1, value))
  }
}
