import Synchronization

/// Caps extra requests at a fraction of primary requests, so hedging cannot multiply load on
/// providers that are slow because they are overloaded ("The Tail at Scale" keeps it near
/// 5 %). Failovers are extra requests too: they are never refused (a quote whose request
/// failed must still be answered), but they are paid for, so while providers fail, fewer
/// hedges are sent and the total stays within the ratio.
///
/// A token budget, like gRPC's retry throttling: each primary request earns
/// `maximumExtraRatio` of a token, saved up to `maximumSavedTokens`; an extra request
/// spends a whole one. So extra requests never exceed `maximumExtraRatio` × primary
/// requests, and a quiet spell cannot save up a storm. A fresh budget has no tokens: the
/// first hedge comes after `1 / maximumExtraRatio` primaries. Counted in thousandths, so
/// ten primaries at 0.1 make exactly one token.
public struct HedgeBudget: Hashable, Sendable {
  public let maximumExtraRatio: Double
  public let maximumSavedTokens: Double
  private let earnedPerPrimary: Int
  private let capacity: Int
  private var balance = 0
  public private(set) var primaryRequests = 0
  public private(set) var extraRequests = 0
  public private(set) var failoverRequests = 0

  public init(maximumExtraRatio: Double, maximumSavedTokens: Double = 10) {
    let ratio = maximumExtraRatio.isFinite ? max(0, maximumExtraRatio) : 0
    self.maximumExtraRatio = ratio
    self.maximumSavedTokens = max(1, maximumSavedTokens.isFinite ? maximumSavedTokens : 1)
    self.earnedPerPrimary = Int((min(ratio, 1_000) * 1000).rounded())
    self.capacity = Int((min(self.maximumSavedTokens, 1_000_000) * 1000).rounded())
  }

  /// Whole extra requests the budget would allow now.
  public var availableExtraRequests: Int { balance / 1000 }

  public mutating func recordPrimary() {
    primaryRequests += 1
    balance = min(capacity, balance + earnedPerPrimary)
  }

  /// A failover was sent: it spends a token even when there is none, down to a debt as deep
  /// as the savings may be high.
  public mutating func recordFailover() {
    failoverRequests += 1
    balance = max(-capacity, balance - 1000)
  }

  /// Spends one token for an extra request, if there is one.
  public mutating func tryAcquireExtra() -> Bool {
    guard balance >= 1000 else { return false }
    balance -= 1000
    extraRequests += 1
    return true
  }
}

/// A ``HedgeBudget`` shared by every hedged call to one tier of providers, which run
/// concurrently. Only the short updates hold the lock.
public final class SharedHedgeBudget: Sendable {
  private let budget: Mutex<HedgeBudget>

  public init(_ budget: HedgeBudget) {
    self.budget = Mutex(budget)
  }

  public convenience init(maximumExtraRatio: Double, maximumSavedTokens: Double = 10) {
    self.init(HedgeBudget(maximumExtraRatio: maximumExtraRatio, maximumSavedTokens: maximumSavedTokens))
  }

  public func recordPrimary() { budget.withLock { $0.recordPrimary() } }
  public func recordFailover() { budget.withLock { $0.recordFailover() } }
  public func tryAcquireExtra() -> Bool { budget.withLock { $0.tryAcquireExtra() } }
  public var snapshot: HedgeBudget { budget.withLock { $0 } }
}
