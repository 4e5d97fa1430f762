import Foundation
import Logging
import MarketCore
import MarketTesting
import Synchronization
import Testing

@testable import CacheTiers

/// Provider budgets counted in a real redis-server by several instances at once: together
/// they never pass the limit, the windows roll over on the injected clock, and a dead Redis
/// leaves each instance its share.
@Suite struct RedisClusterBudgetTests {
  /// 2025-11-29 23:59:00 UTC.
  static let beforeMidnight = Date(timeIntervalSince1970: 1_764_460_740)

  static func budget(
    _ client: RedisClient, instance: String, clock: ManualClock, timeout: Duration = .generousTimeout
  ) -> RedisClusterBudget {
    var options = RedisClusterBudget.Options()
    options.prefix = "budget-test:"
    options.timeout = timeout
    options.usesServerTime = false
    return RedisClusterBudget(
      client: client, instanceID: instance, options: options, clock: clock, logger: Logger(label: "test.budget"))
  }

  @Test func threeInstancesTogetherNeverPassTheLimit() async throws {
    let server = try await RedisServer()
    let clock = ManualClock()
    try await withRedisClient(server: server) { first throws in
      try await withRedisClient(server: server) { second throws in
        try await withRedisClient(server: server) { third throws in
          let budgets = [
            Self.budget(first, instance: "a", clock: clock), Self.budget(second, instance: "b", clock: clock),
            Self.budget(third, instance: "c", clock: clock),
          ]
          let limits = BudgetLimits(requestsPerMinute: 10, dailyQuota: 100)
          let decisions = await withTaskGroup(of: BudgetDecision.self) { group in
            for budget in budgets {
              for _ in 0..<20 { group.addTask { await budget.spend("finnhub", limits: limits) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
          }
          #expect(decisions.count == 60)
          #expect(decisions.filter(\.isAdmitted).count == 10)
          #expect(decisions.allSatisfy { $0.mode.isShared })
          for decision in decisions where !decision.isAdmitted {
            // Nothing leaves the window before a minute has passed since the first call.
            guard case .rateLimited(let retryIn?)? = decision.refusal else {
              Issue.record("expected a rate limit with a retry time, got \(String(describing: decision.refusal))")
              continue
            }
            #expect(retryIn == .seconds(60))
          }
          // The quota counted only the admitted calls.
          let day = try await first.send(["HGET", budgets[0].keys(for: "finnhub").day, "used"])
          #expect(day.string == "10")
          for budget in budgets { await budget.heartbeat() }
          #expect(budgets.map(\.liveInstances) == [3, 3, 3])
          #expect(await budgets[0].spend("finnhub", limits: limits).mode == .shared(liveInstances: 3))
          // Another provider has a budget of its own.
          #expect(await budgets[1].spend("polygon", limits: BudgetLimits(requestsPerMinute: 5)).isAdmitted)
        }
      }
    }
  }

  @Test func theMinuteSlidesOnTheInjectedClock() async throws {
    let server = try await RedisServer()
    let clock = ManualClock()
    try await withRedisClient(server: server) { client throws in
      let budget = Self.budget(client, instance: "a", clock: clock)
      let limits = BudgetLimits(requestsPerMinute: 2)
      #expect(await budget.spend("p", limits: limits).isAdmitted)
      clock.advance(by: .seconds(20))
      #expect(await budget.spend("p", limits: limits).isAdmitted)
      #expect(await budget.spend("p", limits: limits).refusal == .rateLimited(retryIn: .seconds(40)))
      clock.advance(by: .seconds(39))
      #expect(await budget.spend("p", limits: limits).refusal == .rateLimited(retryIn: .seconds(1)))
      // The first call leaves the window a minute after it was made; the second, 20 s later.
      clock.advance(by: .seconds(1))
      #expect(await budget.spend("p", limits: limits).isAdmitted)
      #expect(await budget.spend("p", limits: limits).refusal == .rateLimited(retryIn: .seconds(20)))
      // Nothing is kept longer than the window needs.
      let minuteTTL = try await client.pttl(budget.keys(for: "p").minute)
      #expect(minuteTTL > 0 && minuteTTL <= 61_000)
      let instancesTTL = try await client.pttl(budget.instancesKey)
      #expect(instancesTTL > 0 && instancesTTL <= 60_000)
    }
  }

  @Test func theDailyQuotaResetsAtUTCMidnight() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.beforeMidnight)
    try await withRedisClient(server: server) { client throws in
      let budget = Self.budget(client, instance: "a", clock: clock)
      let limits = BudgetLimits(dailyQuota: 3)
      for _ in 0..<3 { #expect(await budget.spend("alpha-vantage", limits: limits).isAdmitted) }
      #expect(await budget.spend("alpha-vantage", limits: limits).refusal == .quotaExhausted)
      // The day's count expires an hour after the day ends, wherever the clock is.
      let dayTTL = try await client.pttl(budget.keys(for: "alpha-vantage").day)
      #expect(dayTTL > 3_600_000 && dayTTL <= 3_660_000)
      clock.advance(by: .seconds(59))
      #expect(await budget.spend("alpha-vantage", limits: limits).refusal == .quotaExhausted)
      clock.advance(by: .seconds(1))
      for _ in 0..<3 { #expect(await budget.spend("alpha-vantage", limits: limits).isAdmitted) }
      #expect(await budget.spend("alpha-vantage", limits: limits).refusal == .quotaExhausted)
    }
  }

  @Test func aDeadRedisLeavesEachInstanceItsShare() async throws {
    let server = try await RedisServer()
    let clock = ManualClock()
    try await withRedisClient(server: server) { first throws in
      let budget = Self.budget(first, instance: "a", clock: clock)
      #expect(budget.mode == .localShare(instances: 1, reason: "redis not asked yet"))
      try await withRedisClient(server: server) { second throws in
        try await withRedisClient(server: server) { third throws in
          await Self.budget(second, instance: "b", clock: clock).heartbeat()
          await Self.budget(third, instance: "c", clock: clock).heartbeat()
        }
      }
      let limits = BudgetLimits(requestsPerMinute: 180, dailyQuota: 30)
      #expect(await budget.spend("finnhub", limits: limits).mode == .shared(liveInstances: 3))
      #expect(budget.mode == .shared(liveInstances: 3))

      await server.stop()
      #expect(await eventually { if case .down = first.health { true } else { false } })
      // The heartbeat notices before any call does, so a provider's status is current.
      await budget.heartbeat()
      #expect(budget.mode == .localShare(instances: 3, reason: "redis unreachable"))
      // 180 a minute over the three instances last seen: 60 a minute here, one a second.
      let fallback = await budget.spend("finnhub", limits: limits)
      #expect(fallback.isAdmitted)
      #expect(fallback.mode == .localShare(instances: 3, reason: "redis unreachable"))
      #expect(fallback.mode.description == "budget: local share 1/3 (redis unreachable)")
      #expect(await budget.spend("finnhub", limits: limits).refusal == .rateLimited(retryIn: .seconds(1)))
      clock.advance(by: .seconds(1))
      #expect(await budget.spend("finnhub", limits: limits).isAdmitted)
      #expect(budget.statistics.localDecisions == 3)

      try await server.restart()
      #expect(
        await eventually {
          await budget.heartbeat()
          return budget.mode.isShared
        })
      #expect(await budget.spend("finnhub", limits: limits).mode.isShared)
    }
  }

  @Test func aHungRedisFallsBackWithinTheTimeout() async throws {
    let server = try await RedisServer()
    let clock = ManualClock()
    try await withRedisClient(server: server) { client throws in
      try await withRedisClient(server: server) { admin throws in
        let budget = Self.budget(client, instance: "a", clock: clock, timeout: .milliseconds(100))
        let limits = BudgetLimits(requestsPerMinute: 10)
        await budget.heartbeat()
        #expect(try await admin.send(["CLIENT", "PAUSE", "3000", "ALL"]) == .simpleString("OK"))
        let started = ContinuousClock.now
        let decision = await budget.spend("p", limits: limits)
        let waited = ContinuousClock.now - started
        #expect(decision.mode == .localShare(instances: 1, reason: "redis timed out"))
        #expect(decision.isAdmitted)
        // Bounded by the budget's timeout, not the client's generous one; the bound is loose
        // for a loaded machine, the point is that it is far below the 3 s pause.
        #expect(waited < .milliseconds(2_000))
      }
    }
  }

  @Test func aFlushedScriptIsSentAgain() async throws {
    let server = try await RedisServer()
    let clock = ManualClock()
    try await withRedisClient(server: server) { client throws in
      let budget = Self.budget(client, instance: "a", clock: clock)
      let limits = BudgetLimits(requestsPerMinute: 3)
      #expect(await budget.spend("p", limits: limits).isAdmitted)
      #expect(budget.statistics.scriptReloads == 0)
      #expect(try await client.send(["SCRIPT", "FLUSH"]) == .simpleString("OK"))
      let afterFlush = await budget.spend("p", limits: limits)
      #expect(afterFlush.isAdmitted)
      #expect(afterFlush.mode.isShared)
      #expect(budget.statistics.scriptReloads == 1)
      // EVAL cached the script again: the next call is an EVALSHA, and it still counts.
      #expect(await budget.spend("p", limits: limits).isAdmitted)
      #expect(await budget.spend("p", limits: limits).refusal == .rateLimited(retryIn: .seconds(60)))
      #expect(budget.statistics.scriptReloads == 1)
      #expect(budget.statistics.localDecisions == 0)
    }
  }
}
