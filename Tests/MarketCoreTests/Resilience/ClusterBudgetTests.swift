import Foundation
import MarketCore
import MarketTesting
import Synchronization
import Testing

extension ResilienceTests {
  /// The local share a cluster budget falls back to, and how a provider's calls consult the
  /// budget after its own limits.
  @Suite struct ClusterBudgetTests {
    /// 2025-11-29 23:59:00 UTC.
    static let beforeMidnight = Date(timeIntervalSince1970: 1_764_460_740)

    @Test func theShareIsTheLimitOverTheInstancesRoundedDownButAtLeastOne() {
      #expect(LocalBudgetShare.share(of: 10, instances: 1) == 10)
      #expect(LocalBudgetShare.share(of: 10, instances: 3) == 3)
      #expect(LocalBudgetShare.share(of: 60, instances: 4) == 15)
      #expect(LocalBudgetShare.share(of: 2, instances: 3) == 1)
      #expect(LocalBudgetShare.share(of: 25, instances: 25) == 1)
      // No instance count below one divides, and a limit of nothing stays nothing.
      #expect(LocalBudgetShare.share(of: 10, instances: 0) == 10)
      #expect(LocalBudgetShare.share(of: 10, instances: -2) == 10)
      #expect(LocalBudgetShare.share(of: 0, instances: 3) == 0)

      let share = LocalBudgetShare(limits: BudgetLimits(requestsPerMinute: 60, dailyQuota: 25), instances: 4, at: .origin)
      #expect(share.requestsPerMinute == 15)
      #expect(share.dailyQuota == 6)
      #expect(LocalBudgetShare(limits: BudgetLimits(), instances: 0, at: .origin).instances == 1)
    }

    @Test func theLocalShareEnforcesTheRateShare() {
      // 180 a minute over three instances: 60 a minute here, one a second.
      var share = LocalBudgetShare(limits: BudgetLimits(requestsPerMinute: 180), instances: 3, at: instant(0))
      #expect(share.spend(at: instant(0), wallTime: Self.beforeMidnight) == nil)
      #expect(share.spend(at: instant(0), wallTime: Self.beforeMidnight) == .rateLimited(retryIn: .seconds(1)))
      #expect(share.spend(at: instant(0.5), wallTime: Self.beforeMidnight) == .rateLimited(retryIn: .milliseconds(500)))
      #expect(share.spend(at: instant(1), wallTime: Self.beforeMidnight) == nil)
      var admitted = 0
      for second in stride(from: 1.5, to: 61.5, by: 0.5)
      where share.spend(at: instant(second), wallTime: Self.beforeMidnight) == nil {
        admitted += 1
      }
      #expect(admitted == 60)
    }

    @Test func theLocalShareEnforcesTheQuotaShareUntilUTCMidnight() {
      // 10 a day over three instances: 3 here.
      var share = LocalBudgetShare(limits: BudgetLimits(dailyQuota: 10), instances: 3, at: instant(0))
      for _ in 0..<3 { #expect(share.spend(at: instant(0), wallTime: Self.beforeMidnight) == nil) }
      #expect(share.spend(at: instant(0), wallTime: Self.beforeMidnight) == .quotaExhausted)
      #expect(share.spend(at: instant(59), wallTime: Self.beforeMidnight + 59) == .quotaExhausted)
      #expect(share.spend(at: instant(60), wallTime: Self.beforeMidnight + 60) == nil)
    }

    @Test func budgetLimitsComeFromTheProviderLimits() {
      #expect(BudgetLimits(ProviderLimitsConfiguration()) == nil)
      #expect(BudgetLimits(ProviderLimitsConfiguration(maxConcurrent: 4)) == nil)
      #expect(BudgetLimits(ProviderLimitsConfiguration(requestsPerMinute: 59.9)) == BudgetLimits(requestsPerMinute: 59))
      #expect(BudgetLimits(ProviderLimitsConfiguration(requestsPerMinute: 0.5)) == BudgetLimits(requestsPerMinute: 1))
      #expect(BudgetLimits(ProviderLimitsConfiguration(dailyQuota: 25)) == BudgetLimits(dailyQuota: 25))
    }

    @Test func theModeSaysHowTheBudgetIsCounted() {
      #expect(
        BudgetMode.localShare(instances: 3, reason: "redis unreachable").description
          == "budget: local share 1/3 (redis unreachable)")
      #expect(BudgetMode.shared(liveInstances: 3).description == "budget: cluster-wide (3 instances)")
      #expect(BudgetMode.shared(liveInstances: 1).description == "budget: cluster-wide (1 instance)")
      #expect(BudgetMode.localShare(instances: 3, reason: "x").divisor == 3)
      #expect(BudgetMode.shared(liveInstances: 3).divisor == 1)
    }

    @Test func aRefusedProviderIsSkippedUntilTheBudgetsRetryTime() async throws {
      let clock = ManualClock()
      let limited = ScriptedProvider(id: "limited", clock: clock)
      let spare = ScriptedProvider(id: "spare", price: 101, clock: clock)
      let budget = ScriptedBudget { _ in
        BudgetDecision(
          refusal: .rateLimited(retryIn: .seconds(10)), mode: .localShare(instances: 3, reason: "redis unreachable"))
      }
      let core = MarketDataCore(
        providers: [
          ProviderRegistration(limited, priority: 1, limits: ProviderLimitsConfiguration(requestsPerMinute: 60)),
          ProviderRegistration(spare, priority: 2),
        ],
        clock: clock, budget: budget)

      let first = try await core.quote(Symbol(validating: "AAPL"))
      #expect(first.value.source == "spare")
      #expect(limited.callCount == 0)
      // Only the limited provider has a budget to ask.
      #expect(budget.requests == ["limited"])
      let status = try #require(core.providerStatuses().first { $0.id == "limited" })
      #expect(status.budget == .localShare(instances: 3, reason: "redis unreachable"))
      #expect(status.budget?.description == "budget: local share 1/3 (redis unreachable)")
      #expect(core.providerStatuses().first { $0.id == "spare" }?.budget == nil)

      // Within the retry time the provider is skipped without asking the budget again.
      _ = try await core.quote(Symbol(validating: "MSFT"))
      #expect(budget.requests == ["limited"])

      clock.advance(by: .seconds(10))
      budget.answer { _ in BudgetDecision(mode: .shared(liveInstances: 3)) }
      let third = try await core.quote(Symbol(validating: "NVDA"))
      #expect(third.value.source == "limited")
      #expect(limited.callCount == 1)
      #expect(budget.requests == ["limited", "limited"])
      #expect(core.providerStatuses().first { $0.id == "limited" }?.budget == .shared(liveInstances: 3))
    }

    @Test func aSpentClusterQuotaIsReportedAsTheQuota() async throws {
      let clock = ManualClock()
      let limited = ScriptedProvider(id: "limited", clock: clock)
      let budget = ScriptedBudget { _ in BudgetDecision(refusal: .quotaExhausted, mode: .shared(liveInstances: 2)) }
      let core = MarketDataCore(
        providers: [ProviderRegistration(limited, limits: ProviderLimitsConfiguration(dailyQuota: 25))], clock: clock,
        budget: budget)
      let symbol = try Symbol(validating: "AAPL")
      do {
        _ = try await core.quote(symbol)
        Issue.record("expected no provider to be available")
      } catch {
        guard case .noProviderAvailable(_, let skipped) = error else {
          Issue.record("expected noProviderAvailable, got \(error)")
          return
        }
        #expect(skipped.map(\.reason) == [.quotaExhausted])
      }
      #expect(limited.callCount == 0)
      // The breaker's permit was handed back: a refused call is not a failure.
      #expect(core.providerStatuses().first?.breaker.bufferedCalls == 0)
      // Nor does it use the local quota: only calls made count.
      #expect(core.providerStatuses().first?.limits.quotaUsed == 0)
      #expect(core.providerStatuses().first?.isUp == true)
    }
  }
}

/// A cluster budget whose answers a test scripts, recording which providers asked.
final class ScriptedBudget: ClusterBudget {
  private let state: Mutex<(answer: @Sendable (ProviderID) -> BudgetDecision, requests: [ProviderID], mode: BudgetMode)>

  init(_ answer: @escaping @Sendable (ProviderID) -> BudgetDecision) {
    state = Mutex((answer, [], .shared(liveInstances: 1)))
  }

  /// The mode of the last decision.
  var mode: BudgetMode { state.withLock { $0.mode } }

  var requests: [ProviderID] { state.withLock { $0.requests } }

  func answer(with answer: @escaping @Sendable (ProviderID) -> BudgetDecision) {
    state.withLock { $0.answer = answer }
  }

  func spend(_ provider: ProviderID, limits: BudgetLimits) async -> BudgetDecision {
    let answer = state.withLock { state in
      state.requests.append(provider)
      return state.answer
    }
    let decision = answer(provider)
    state.withLock { $0.mode = decision.mode }
    return decision
  }
}
