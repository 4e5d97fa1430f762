import Foundation

/// This instance's part of a cluster budget while the shared count cannot be asked: each
/// limit divided by the last-known number of live instances, rounded down but at least 1, and
/// enforced here by ``ProviderLimits`` (its token bucket for the rate, its ``DailyQuota`` for
/// the day). Sans-I/O: the caller passes the monotonic instant and the wall time.
///
/// Calls counted here never reach the shared store: when it returns, the fleet may briefly
/// spend up to one share per instance more than its limit in that minute and day.
public struct LocalBudgetShare: Sendable {
  /// The fleet-wide limits this is a share of.
  public let limits: BudgetLimits
  /// How many instances the limits are divided by (at least 1).
  public let instances: Int
  private var local: ProviderLimits

  public init(limits: BudgetLimits, instances: Int, at start: MarketInstant) {
    self.limits = limits
    self.instances = max(1, instances)
    let rate = limits.requestsPerMinute.map { Self.share(of: $0, instances: instances) }
    local = ProviderLimits(
      configuration: ProviderLimitsConfiguration(
        requestsPerMinute: rate.map(Double.init), dailyQuota: limits.dailyQuota.map { Self.share(of: $0, instances: instances) }),
      at: start)
  }

  /// `limit / instances`, rounded down but at least 1, so that every instance can still make
  /// a call; a limit of 0 stays 0.
  public static func share(of limit: Int, instances: Int) -> Int {
    guard limit > 0 else { return 0 }
    return max(1, limit / max(1, instances))
  }

  /// The share of the rate, in calls per minute; nil without a rate limit.
  public var requestsPerMinute: Int? { limits.requestsPerMinute.map { Self.share(of: $0, instances: instances) } }

  /// The share of the daily quota; nil without one.
  public var dailyQuota: Int? { limits.dailyQuota.map { Self.share(of: $0, instances: instances) } }

  /// Spends one call of the share, or says why not: nil when the call may go.
  public mutating func spend(at now: MarketInstant, wallTime: Date) -> ProviderSkip.Reason? {
    switch local.acquire(at: now, wallTime: wallTime) {
    case .success: nil
    case .failure(let reason): reason
    }
  }
}
