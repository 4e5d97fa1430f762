/// A circuit breaker's state as operators see it.
public enum BreakerState: String, Hashable, Sendable, Codable, CaseIterable {
  case closed
  case open
  case halfOpen = "half-open"
  /// Tripped by an operator: rejects everything until reset.
  case forcedOpen = "forced-open"
  /// Switched off by an operator: always allows, never transitions.
  case disabled
  /// Records outcomes but always allows.
  case metricsOnly = "metrics-only"

  /// Whether calls may pass in this state at all (half-open passes a few probes).
  public var admitsCalls: Bool {
    switch self {
    case .closed, .halfOpen, .disabled, .metricsOnly: true
    case .open, .forcedOpen: false
    }
  }
}

/// Everything the dashboard's providers and breakers panes, and `GET /v1/providers`, show
/// about one provider at one moment. Values only: no secrets, no live references.
public struct ProviderStatus: Hashable, Sendable {
  public var id: ProviderID
  public var priority: Int
  public var isSimulated: Bool
  /// False when an operator disabled it: the router never asks it.
  public var isEnabled = true
  public var breaker: BreakerStatus
  public var health: HealthStatus
  public var limits: LimitStatus
  /// How its cluster-wide budget is counted right now ("budget: local share 1/3 (redis
  /// unreachable)"); nil when it has none (no rate or quota, or no shared store configured).
  public var budget: BudgetMode?

  public init(
    id: ProviderID, priority: Int, isSimulated: Bool, isEnabled: Bool = true, breaker: BreakerStatus = BreakerStatus(),
    health: HealthStatus = HealthStatus(), limits: LimitStatus = LimitStatus(), budget: BudgetMode? = nil
  ) {
    self.id = id
    self.priority = priority
    self.isSimulated = isSimulated
    self.isEnabled = isEnabled
    self.breaker = breaker
    self.health = health
    self.limits = limits
    self.budget = budget
  }

  /// Usable right now: its breaker admits calls and its budget is not spent.
  public var isUp: Bool { isEnabled && breaker.state.admitsCalls && !limits.isExhausted }
}

public struct BreakerStatus: Hashable, Sendable {
  public var state: BreakerState = .closed
  /// Failure rate over the current window in percent; nil until the minimum number of calls.
  public var failureRate: Double?
  public var slowCallRate: Double?
  public var failureRateThreshold: Double = 50
  public var slowCallRateThreshold: Double = 100
  /// Calls recorded in the current window.
  public var bufferedCalls = 0
  /// Of the buffered calls, those that failed and those slower than the slow-call threshold.
  public var failedCalls = 0
  public var slowCalls = 0
  /// Openings in a row without closing in between (each waits longer); 0 when closed.
  public var consecutiveOpenings = 0
  /// Calls rejected since the breaker last opened.
  public var notPermittedCalls = 0
  /// Time until an open breaker lets a probe through.
  public var nextProbeIn: Duration?
  public var lastTransitionReason: String?

  public init() {}
}

public struct HealthStatus: Hashable, Sendable {
  public var p50: Duration?
  /// Also the basis of the hedging delay.
  public var p95: Duration?
  public var p99: Duration?
  public var ewma: Duration?
  /// Fraction of calls in the rolling window that failed, 0...1.
  public var errorRate: Double?
  public var requestsPerSecond: Double = 0
  public var totalRequests = 0
  public var consecutiveFailures = 0
  /// Sanitized: never contains a key or token.
  public var lastError: String?

  public init() {}
}

public struct LimitStatus: Hashable, Sendable {
  public var maximumConcurrent: Int?
  public var inFlight = 0
  public var requestsPerMinute: Double?
  public var dailyQuota: Int?
  public var quotaUsed = 0
  public var costPerCall: Double = 0
  public var costSpent: Double = 0
  /// Set while the provider told us to back off (429 / Retry-After).
  public var backingOffFor: Duration?

  public init() {}

  public var isExhausted: Bool {
    if let dailyQuota, quotaUsed >= dailyQuota { return true }
    return backingOffFor != nil
  }
}
