/// The limits one provider is configured with; every one is optional, and a provider with
/// none is limited only by rate-limit replies.
public struct ProviderLimitsConfiguration: Hashable, Sendable {
  /// Calls in flight at once.
  public var maxConcurrent: Int?
  /// Sustained call rate.
  public var requestsPerMinute: Double?
  /// Calls allowed at once before the rate applies; defaults to one second's worth of
  /// `requestsPerMinute` (at least 1), so no rolling minute sees more than
  /// `requestsPerMinute + burst` calls.
  public var burst: Int?
  /// Calls per UTC day.
  public var dailyQuota: Int?
  /// What one call costs (in whatever unit the plan bills), for the dashboard.
  public var costPerCall: Double?

  public init(
    maxConcurrent: Int? = nil, requestsPerMinute: Double? = nil, burst: Int? = nil, dailyQuota: Int? = nil,
    costPerCall: Double? = nil
  ) {
    self.maxConcurrent = maxConcurrent
    self.requestsPerMinute = requestsPerMinute
    self.burst = burst
    self.dailyQuota = dailyQuota
    self.costPerCall = costPerCall
  }

  /// The burst the token bucket uses.
  public var effectiveBurst: Int? {
    guard let requestsPerMinute else { return nil }
    return max(1, burst ?? Int(requestsPerMinute / 60))
  }
}
