import MarketCore

/// `GET /v1/providers`: what the dashboard's providers pane shows, as values. Durations are
/// in seconds; rates are fractions from 0 to 1 unless the name says percent.
public struct ProviderBody: Codable, Sendable {
  public struct Breaker: Codable, Sendable {
    public var state: String
    public var reason: String?
    public var failureRatePercent: Double?
    public var slowCallRatePercent: Double?
    public var failureRateThresholdPercent: Double?
    public var slowCallRateThresholdPercent: Double?
    public var bufferedCalls: Int
    public var notPermittedCalls: Int
    public var nextProbeInSeconds: Double?

    enum CodingKeys: String, CodingKey {
      case state, reason
      case failureRatePercent = "failure_rate_percent"
      case slowCallRatePercent = "slow_call_rate_percent"
      case failureRateThresholdPercent = "failure_rate_threshold_percent"
      case slowCallRateThresholdPercent = "slow_call_rate_threshold_percent"
      case bufferedCalls = "buffered_calls"
      case notPermittedCalls = "not_permitted_calls"
      case nextProbeInSeconds = "next_probe_in_seconds"
    }
  }

  public struct Health: Codable, Sendable {
    public var latencyP50Seconds: Double?
    public var latencyP99Seconds: Double?
    public var latencyEWMASeconds: Double?
    public var errorRate: Double?
    public var requestsPerSecond: Double?
    public var totalRequests: Int
    public var consecutiveFailures: Int
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
      case latencyP50Seconds = "latency_p50_seconds"
      case latencyP99Seconds = "latency_p99_seconds"
      case latencyEWMASeconds = "latency_ewma_seconds"
      case errorRate = "error_rate"
      case requestsPerSecond = "requests_per_second"
      case totalRequests = "total_requests"
      case consecutiveFailures = "consecutive_failures"
      case lastError = "last_error"
    }
  }

  public struct Limits: Codable, Sendable {
    public var maximumConcurrent: Int?
    public var inFlight: Int
    public var requestsPerMinute: Double?
    public var dailyQuota: Int?
    public var quotaUsed: Int
    public var costPerCall: Double?
    public var costSpent: Double?
    public var backingOffForSeconds: Double?
    public var exhausted: Bool

    enum CodingKeys: String, CodingKey {
      case maximumConcurrent = "maximum_concurrent"
      case inFlight = "in_flight"
      case requestsPerMinute = "requests_per_minute"
      case dailyQuota = "daily_quota"
      case quotaUsed = "quota_used"
      case costPerCall = "cost_per_call"
      case costSpent = "cost_spent"
      case backingOffForSeconds = "backing_off_for_seconds"
      case exhausted
    }
  }

  /// How the provider's rate and quota are counted when they are cluster-wide (Redis).
  public struct Budget: Codable, Sendable {
    /// `cluster` (counted in Redis with every instance) or `local_share` (counted here alone).
    public var scope: String
    /// Live instances (`cluster`), or the number the limits are divided by (`local_share`).
    public var instances: Int
    /// Why the budget is counted locally; absent while it is cluster-wide.
    public var reason: String?
    /// "budget: local share 1/3 (redis unreachable)".
    public var summary: String

    public init(_ mode: BudgetMode) {
      switch mode {
      case .shared(let live): (scope, instances, reason) = ("cluster", live, nil)
      case .localShare(let divisor, let why): (scope, instances, reason) = ("local_share", divisor, why)
      }
      summary = mode.description
    }

    /// The mode back, or nil for a scope this client does not know.
    public var mode: BudgetMode? {
      switch scope {
      case "cluster": .shared(liveInstances: max(1, instances))
      case "local_share": .localShare(instances: max(1, instances), reason: reason ?? "")
      default: nil
      }
    }
  }

  public var id: String
  public var priority: Int
  public var simulated: Bool
  public var enabled: Bool
  public var up: Bool
  public var breaker: Breaker
  public var health: Health
  public var limits: Limits
  /// Absent when the provider has no cluster-wide budget.
  public var budget: Budget?

  public init(_ status: ProviderStatus) {
    id = status.id.name
    priority = status.priority
    simulated = status.isSimulated
    enabled = status.isEnabled
    up = status.isUp
    let breaker = status.breaker
    self.breaker = Breaker(
      state: breaker.state.rawValue, reason: breaker.lastTransitionReason, failureRatePercent: breaker.failureRate?.finite,
      slowCallRatePercent: breaker.slowCallRate?.finite, failureRateThresholdPercent: breaker.failureRateThreshold.finite,
      slowCallRateThresholdPercent: breaker.slowCallRateThreshold.finite, bufferedCalls: breaker.bufferedCalls,
      notPermittedCalls: breaker.notPermittedCalls, nextProbeInSeconds: breaker.nextProbeIn?.seconds)
    let health = status.health
    self.health = Health(
      latencyP50Seconds: health.p50?.seconds, latencyP99Seconds: health.p99?.seconds, latencyEWMASeconds: health.ewma?.seconds,
      errorRate: health.errorRate?.finite, requestsPerSecond: health.requestsPerSecond.finite,
      totalRequests: health.totalRequests, consecutiveFailures: health.consecutiveFailures, lastError: health.lastError)
    let limits = status.limits
    self.limits = Limits(
      maximumConcurrent: limits.maximumConcurrent, inFlight: limits.inFlight, requestsPerMinute: limits.requestsPerMinute?.finite,
      dailyQuota: limits.dailyQuota, quotaUsed: limits.quotaUsed, costPerCall: limits.costPerCall.finite,
      costSpent: limits.costSpent.finite, backingOffForSeconds: limits.backingOffFor?.seconds, exhausted: limits.isExhausted)
    budget = status.budget.map(Budget.init)
  }
}

public struct ProvidersBody: Codable, Sendable {
  public var providers: [ProviderBody]

  public init(providers: [ProviderBody]) {
    self.providers = providers
  }
}
