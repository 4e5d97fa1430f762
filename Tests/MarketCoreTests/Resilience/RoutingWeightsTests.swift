import MarketCore
import Testing

extension ResilienceTests {
  @Suite struct RoutingWeightsTests {
    @Test func equalWeightsSpreadEvenly() {
      var roundRobin = SmoothWeightedRoundRobin<ProviderID>()
      let providers: [ProviderID] = ["openbb", "yahoo", "finnhub"]
      var picks: [ProviderID: Int] = [:]
      for _ in 0..<10_000 {
        let order = roundRobin.order(providers) { _ in 1 }
        #expect(Set(order) == Set(providers))
        picks[order[0], default: 0] += 1
      }
      let expected = 10_000.0 / 3
      for provider in providers {
        #expect(abs(Double(picks[provider, default: 0]) - expected) / expected < 0.05)
      }
    }

    @Test func picksAreSpreadOutNotBunched() {
      var roundRobin = SmoothWeightedRoundRobin<String>()
      let weights = ["a": 5.0, "b": 1, "c": 1]
      let sequence = (0..<7).compactMap { _ in roundRobin.pick(["a", "b", "c"]) { weights[$0] ?? 0 } }
      #expect(sequence == ["a", "a", "b", "a", "c", "a", "a"])
    }

    @Test func orderPutsThePickFirstAndZeroWeightsLast() {
      var roundRobin = SmoothWeightedRoundRobin<String>()
      let weights = ["a": 1.0, "b": 3, "off": 0]
      let order = roundRobin.order(["off", "a", "b", "a"]) { weights[$0] ?? 0 }
      #expect(order == ["b", "a", "off"])
      #expect(roundRobin.pick(["off"]) { weights[$0] ?? 0 } == nil)
    }

    @Test func aSlowOrFailingProviderGetsLessButNeverNothing() {
      let weights = AdaptiveWeights()
      #expect(weights.effectiveWeight(base: 2, ewmaLatency: nil, errorRate: nil) == 2)
      #expect(weights.effectiveWeight(base: 2, ewmaLatency: .milliseconds(200), errorRate: 0) == 2)
      #expect(weights.effectiveWeight(base: 1, ewmaLatency: .seconds(1), errorRate: 0) == 0.25)
      #expect(weights.effectiveWeight(base: 1, ewmaLatency: nil, errorRate: 0.5) == 0.25)
      #expect(weights.effectiveWeight(base: 1, ewmaLatency: .seconds(1), errorRate: 0.5) == 0.0625)
      #expect(weights.effectiveWeight(base: 1, ewmaLatency: .seconds(60), errorRate: 1) == 0.05)
      #expect(weights.effectiveWeight(base: 0, ewmaLatency: nil, errorRate: nil) == 0)

      var health = HealthStatus()
      health.ewma = .seconds(5)
      let slow = weights.effectiveWeight(base: 1, health: health)
      #expect(slow > 0)
      #expect(slow < 1)

      // Fed to the round-robin, the slow provider still gets its share, a small one.
      var roundRobin = SmoothWeightedRoundRobin<String>()
      var picks: [String: Int] = [:]
      for _ in 0..<1_000 {
        let pick = roundRobin.pick(["fast", "slow"]) { $0 == "slow" ? slow : 1 }
        picks[pick ?? "none", default: 0] += 1
      }
      #expect(picks["slow", default: 0] > 0)
      #expect(picks["slow", default: 0] < picks["fast", default: 0] / 10)
    }
  }
}
