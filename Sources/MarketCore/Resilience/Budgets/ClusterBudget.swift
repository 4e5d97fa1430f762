/// A provider budget shared by every instance of a fleet: the configured requests per minute
/// and daily quota are counted once for all of them, so N instances together stay within one
/// provider's limits. ``ProviderRuntime`` asks it after the local limits and the breaker have
/// admitted a call, and skips the provider when it refuses.
///
/// An implementation must answer promptly: when it cannot reach its shared count within its
/// bound it decides from this instance's share (``LocalBudgetShare``) and says so in the
/// decision's ``BudgetDecision/mode``, rather than hold the quote path on a dead store.
public protocol ClusterBudget: Sendable {
  /// Spends one call of `provider`'s budget now, or says why not and for how long.
  func spend(_ provider: ProviderID, limits: BudgetLimits) async -> BudgetDecision

  /// How calls would be counted now, as of the last call or health check: what a provider's
  /// status shows, current even while the provider is skipped and makes no calls.
  var mode: BudgetMode { get }
}

/// The limits a cluster budget counts for one provider, both for the whole fleet.
public struct BudgetLimits: Hashable, Sendable {
  /// Calls in any rolling minute; nil when the provider has no rate limit.
  public var requestsPerMinute: Int?
  /// Calls per UTC day; nil when the provider has no daily quota.
  public var dailyQuota: Int?

  public init(requestsPerMinute: Int? = nil, dailyQuota: Int? = nil) {
    self.requestsPerMinute = requestsPerMinute.map { max(0, $0) }
    self.dailyQuota = dailyQuota.map { max(0, $0) }
  }

  /// The cluster-wide part of a provider's configured limits, or nil when it has neither a
  /// rate nor a quota. A fractional rate is rounded down, but to no less than one a minute.
  public init?(_ configuration: ProviderLimitsConfiguration) {
    guard configuration.requestsPerMinute != nil || configuration.dailyQuota != nil else { return nil }
    self.init(
      requestsPerMinute: configuration.requestsPerMinute.map { max(1, Int($0.rounded(.down))) },
      dailyQuota: configuration.dailyQuota)
  }
}

/// What a ``ClusterBudget`` decided about one call, and how it counted.
public struct BudgetDecision: Hashable, Sendable {
  /// nil when the call may go; else why the provider must be skipped
  /// (`rateLimited(retryIn:)` or `quotaExhausted`).
  public var refusal: ProviderSkip.Reason?
  public var mode: BudgetMode

  public init(refusal: ProviderSkip.Reason? = nil, mode: BudgetMode) {
    self.refusal = refusal
    self.mode = mode
  }

  public var isAdmitted: Bool { refusal == nil }
}

/// How a cluster budget is being counted on this instance: what the providers pane,
/// `/v1/providers` and the metrics show beside a provider's limits.
public enum BudgetMode: Hashable, Sendable, CustomStringConvertible {
  /// Counted in the shared store with every instance; `liveInstances` is the store's count
  /// of instances seen recently (this one included).
  case shared(liveInstances: Int)
  /// Counted on this instance alone, at `1 / instances` of each limit, because the shared
  /// store could not be asked (`reason` says why, without any secret).
  case localShare(instances: Int, reason: String)

  public var isShared: Bool {
    if case .shared = self { true } else { false }
  }

  /// The number of instances the limits are divided by while counting locally; 1 when shared.
  public var divisor: Int {
    switch self {
    case .shared: 1
    case .localShare(let instances, _): max(1, instances)
    }
  }

  /// "budget: cluster-wide (3 instances)" or "budget: local share 1/3 (redis unreachable)".
  public var description: String {
    switch self {
    case .shared(let live): "budget: cluster-wide (\(live) instance\(live == 1 ? "" : "s"))"
    case .localShare(let instances, let reason): "budget: local share 1/\(max(1, instances)) (\(reason))"
    }
  }
}
