import Foundation

/// Every limit on calling one provider, checked together: a Retry-After backoff, the daily
/// quota, the rate (token bucket) and the concurrency cap (bulkhead). Sans-I/O: the caller
/// passes the monotonic instant and the wall time.
///
/// ``acquire(at:wallTime:)`` checks everything before it takes anything, so a call refused
/// by one limit never uses up another.
public struct ProviderLimits: Sendable {
  public let configuration: ProviderLimitsConfiguration
  public private(set) var tokenBucket: TokenBucket?
  public private(set) var dailyQuota: DailyQuota?
  public private(set) var bulkhead: Bulkhead?
  public private(set) var backoff = RateLimitBackoff()
  /// Permits that hold a bulkhead slot and have not been released.
  private var outstanding: Set<UInt64> = []
  private var nextPermitID: UInt64 = 0
  private var costSpent: Double = 0
  /// The UTC day `costSpent` belongs to.
  private var costDay: Int64 = .min

  public init(configuration: ProviderLimitsConfiguration = ProviderLimitsConfiguration(), at start: MarketInstant = .origin) {
    self.configuration = configuration
    if let requestsPerMinute = configuration.requestsPerMinute, let burst = configuration.effectiveBurst {
      tokenBucket = TokenBucket(rate: .perMinute(requestsPerMinute), burst: burst, at: start)
    }
    dailyQuota = configuration.dailyQuota.map { DailyQuota(limit: $0) }
    bulkhead = configuration.maxConcurrent.map { Bulkhead(maximumConcurrent: $0) }
  }

  /// Takes what one call needs, or says why the provider must be skipped now.
  public mutating func acquire(at now: MarketInstant, wallTime: Date) -> Result<LimitPermit, ProviderSkip.Reason> {
    if let remaining = backoff.remaining(at: now) { return .failure(.rateLimited(retryIn: remaining)) }
    if let dailyQuota, dailyQuota.remaining(at: wallTime) < 1 { return .failure(.quotaExhausted) }
    if let tokenBucket {
      let wait = tokenBucket.waitTime(at: now)
      if wait != .zero { return .failure(.rateLimited(retryIn: wait)) }
    }
    if let bulkhead, bulkhead.isFull { return .failure(.bulkheadFull(limit: bulkhead.maximumConcurrent)) }

    // Every check passed: take from each.
    _ = tokenBucket?.tryTake(at: now)
    _ = dailyQuota?.tryConsume(at: wallTime)
    let holdsSlot = bulkhead?.tryAcquire() ?? false
    let cost = configuration.costPerCall ?? 0
    rollCostDay(to: wallTime)
    costSpent += cost
    let permit = LimitPermit(id: nextPermitID, holdsConcurrencySlot: holdsSlot, cost: cost)
    nextPermitID &+= 1
    if holdsSlot { outstanding.insert(permit.id) }
    return .success(permit)
  }

  /// The call is over (however it ended): frees its concurrency slot. Releasing a permit
  /// twice is harmless.
  public mutating func release(_ permit: LimitPermit) {
    guard outstanding.remove(permit.id) != nil else { return }
    bulkhead?.release()
  }

  /// The call was refused after all (by the cluster budget) and never went out: frees its
  /// slot and gives back its token, its quota unit and its cost, so only calls made count.
  /// `wallTime` is when the permit was taken.
  public mutating func withdraw(_ permit: LimitPermit, takenAt wallTime: Date) {
    release(permit)
    tokenBucket?.giveBack()
    dailyQuota?.giveBack(usedAt: wallTime)
    if DailyQuota.day(of: wallTime) == costDay { costSpent = max(0, costSpent - permit.cost) }
  }

  /// The provider answered "too many requests": skip it until `retryAfter`, or for an
  /// exponential backoff when it gave none. Returns how long.
  @discardableResult
  public mutating func recordRateLimited(retryAfter: Duration?, at now: MarketInstant) -> Duration {
    backoff.recordRateLimited(retryAfter: retryAfter, at: now)
  }

  /// A call got through: resets the rate-limit streak.
  public mutating func recordSuccess() {
    backoff.recordSuccess()
  }

  /// The provider says today's quota is spent: skip it until UTC midnight. Without a
  /// configured quota this has no effect; configure `dailyQuota` for providers that have one.
  public mutating func recordQuotaExhausted(wallTime: Date) {
    dailyQuota?.markExhausted(at: wallTime)
  }

  /// Feeds a provider error to the limit it concerns (rate limit, quota); other errors
  /// concern the breaker and health, not the limits.
  public mutating func record(_ error: ProviderError, at now: MarketInstant, wallTime: Date) {
    switch error {
    case .rateLimited(let retryAfter): recordRateLimited(retryAfter: retryAfter, at: now)
    case .quotaExhausted: recordQuotaExhausted(wallTime: wallTime)
    default: break
    }
  }

  /// The limits as the dashboard shows them; `costSpent` is for the current UTC day.
  public func status(at now: MarketInstant, wallTime: Date) -> LimitStatus {
    var status = LimitStatus()
    status.maximumConcurrent = bulkhead?.maximumConcurrent
    status.inFlight = outstanding.count
    status.requestsPerMinute = configuration.requestsPerMinute
    status.dailyQuota = dailyQuota?.limit
    status.quotaUsed = dailyQuota?.used(at: wallTime) ?? 0
    status.costPerCall = configuration.costPerCall ?? 0
    status.costSpent = DailyQuota.day(of: wallTime) == costDay ? costSpent : 0
    status.backingOffFor = backoff.remaining(at: now)
    return status
  }

  private mutating func rollCostDay(to wallTime: Date) {
    let today = DailyQuota.day(of: wallTime)
    if today != costDay {
      costDay = today
      costSpent = 0
    }
  }
}

/// What ``ProviderLimits/acquire(at:wallTime:)`` hands out; give it back to
/// ``ProviderLimits/release(_:)`` when the call ends.
public struct LimitPermit: Hashable, Sendable {
  public let id: UInt64
  public let holdsConcurrencySlot: Bool
  /// What the call cost, as accounted.
  public let cost: Double
}

/// Lets ``ProviderLimits/acquire(at:wallTime:)`` return a `Result` whose failure is the
/// reason the router reports for skipping the provider.
extension ProviderSkip.Reason: Error {}
