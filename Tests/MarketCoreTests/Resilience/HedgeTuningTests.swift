import Foundation
import MarketCore
import Testing

extension ResilienceTests {
  /// The tuned hedging delay: the latency estimate it reads (Kaplan–Meier over answers and
  /// cancelled calls, from the newest slices) and the choice it makes from it.
  @Suite struct HedgeTuningTests {
    // MARK: The estimate

    @Test("answers alone give the plain empirical distribution")
    func answersAlone() {
      let survival = LatencySurvival(answers: (1...100).map { (UInt64($0), 1) }, censored: [])
      #expect(survival.fractionSlower(than: 0.5) == 1)
      #expect(abs(survival.fractionSlower(than: 50) - 0.5) < 1e-9)
      #expect(survival.fractionSlower(than: 100) == 0)
      #expect(survival.latency(finishing: 0.9) == 90)
      #expect(survival.sampleCount == 100)
    }

    @Test("a cancelled call leaves the calls at risk without counting as an answer (Kaplan–Meier)")
    func censoredCalls() {
      // Five calls: answers at 1, 2, 3 and 4, one cancelled at 2 (still running when the
      // answer at 2 came).
      let survival = LatencySurvival(answers: [(1, 1), (2, 1), (3, 1), (4, 1)], censored: [(2, 1)])
      #expect(abs(survival.fractionSlower(than: 1) - 0.8) < 1e-9)
      #expect(abs(survival.fractionSlower(than: 2.5) - 0.6) < 1e-9)
      // Two at risk after the cancelled one left: one answers at 3.
      #expect(abs(survival.fractionSlower(than: 3) - 0.3) < 1e-9)
      #expect(survival.fractionSlower(than: 4) == 0)
    }

    @Test("hedges cancelled soon after they were sent do not drag the estimate down")
    func earlyCancellationsDoNotBias() {
      let answers = (1...100).map { (UInt64($0 * 10), 1) }
      let withEarlyLosers = LatencySurvival(answers: answers, censored: [(5, 300)])
      #expect(withEarlyLosers.latency(finishing: 0.5) == 500)
      #expect(withEarlyLosers.latency(finishing: 0.9) == 900)
    }

    @Test("when the slowest calls were all cancelled, the tail is not assumed to end")
    func censoredTail() {
      let survival = LatencySurvival(answers: [(1, 1), (2, 1)], censored: [(3, 1), (4, 1)])
      #expect(abs(survival.fractionSlower(than: 100) - 0.5) < 1e-9)
      #expect(survival.latency(finishing: 0.9) == nil)
    }

    @Test("the tracker's estimate reads the newest slices that hold enough calls, and censors cancelled ones")
    func trackerEstimate() throws {
      var tracker = HealthTracker()  // 6 × 10 s
      for _ in 0..<3_000 { tracker.record(.success, duration: .milliseconds(100), at: instant(5)) }
      for _ in 0..<3_000 { tracker.record(.success, duration: .milliseconds(10), at: instant(15)) }
      // The newest slice alone holds enough: the provider's new, faster shape.
      let recent = try #require(tracker.survival(at: instant(15), minimumSamples: 2_000).latency(finishing: 0.9))
      #expect((9_900...10_100).contains(recent))
      // Asked for more calls than one slice holds, it reaches back.
      let both = tracker.survival(at: instant(15), minimumSamples: 5_000)
      #expect(both.sampleCount == 6_000)
      #expect(both.fractionSlower(than: 50_000) > 0.45)

      var hedged = HealthTracker()
      for _ in 0..<100 { hedged.record(.success, duration: .milliseconds(50), at: instant(1)) }
      for _ in 0..<100 { hedged.record(.cancelled, duration: .milliseconds(1), at: instant(1)) }
      // The percentiles place a cancelled call at the time it ran (a lower bound)…
      try HealthTrackerTests().expect(hedged.latency(atPercentile: 40, at: instant(1)), near: .milliseconds(1))
      // …the estimate only knows it outlasted that time.
      let median = try #require(hedged.survival(at: instant(1), minimumSamples: 1).latency(finishing: 0.5))
      #expect((49_500...50_500).contains(median))
    }

    // MARK: The choice

    /// `count` latencies (µs) drawn from `model`, as an estimate with no cancelled calls.
    static func sample(_ model: SimulatedBehaviour.Latency, count: Int = 50_000, seed: UInt64 = 7) -> LatencySurvival {
      var random = SeededRandom(seed: seed)
      var counts: [UInt64: Int] = [:]
      for _ in 0..<count {
        // Rounded to 1 % steps, as a two-digit histogram would.
        let microseconds = Double(model.sample(&random).nanoseconds) / 1000
        let step = max(1, pow(10, floor(log10(max(1, microseconds)))) / 100)
        counts[UInt64((microseconds / step).rounded() * step), default: 0] += 1
      }
      return LatencySurvival(answers: counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, censored: [])
    }

    static let heavyTail = SimulatedBehaviour.Latency(median: .milliseconds(40), p99: .milliseconds(600))
    static let stalls = SimulatedBehaviour.Latency(
      median: .milliseconds(40), p99: .milliseconds(100), stallProbability: 0.03,
      stall: .milliseconds(300)...(.milliseconds(720)))
    static let tight = SimulatedBehaviour.Latency(median: .milliseconds(40), p99: .milliseconds(44))

    @Test("the share of hedges the budget allows: the ratio less failovers, less a twentieth for slack")
    func hedgeShare() {
      #expect(abs(HedgeDelayTuner.hedgeShare(extraRatio: 0.15, failoverRate: 0.02) - 0.1235) < 1e-9)
      #expect(HedgeDelayTuner.hedgeShare(extraRatio: 0.1, failoverRate: 0.5) == 0)
      #expect(HedgeDelayTuner.hedgeShare(extraRatio: .nan, failoverRate: 0) == 0)
    }

    @Test("a heavy tail is hedged as early as the budget allows, and that delay has the least predicted p99")
    func heavyTailHedgesEarly() throws {
      let survival = Self.sample(Self.heavyTail)
      let delay = try #require(HedgeDelayTuner.delay(primary: survival, hedge: survival, hedgeShare: 0.12))
      let microseconds = Double(delay.nanoseconds) / 1000
      let earliest = Double(try #require(survival.latency(finishing: 0.88)))
      #expect(microseconds >= earliest && microseconds <= earliest * 1.15)
      // About the budget's share of quotes are hedged, never more.
      #expect(survival.fractionSlower(than: microseconds) <= 0.12)
      #expect(survival.fractionSlower(than: microseconds) > 0.10)
      // Later is worse, and earlier was not allowed.
      let chosen = HedgeDelayTuner.predictedLatency(primary: survival, hedge: survival, delay: microseconds)
      let later = HedgeDelayTuner.predictedLatency(primary: survival, hedge: survival, delay: microseconds * 1.5)
      #expect(chosen < later * 0.95)
      // Unhedged, the p99 is the provider's own, about 600 ms; hedged, under half of that.
      #expect(chosen < 300_000)
    }

    @Test("a provider without a tail is hedged late and rarely: early hedges would buy nothing")
    func tightDistributionHedgesLate() throws {
      let survival = Self.sample(Self.tight)
      let delay = try #require(HedgeDelayTuner.delay(primary: survival, hedge: survival, hedgeShare: 0.12))
      #expect(survival.fractionSlower(than: Double(delay.nanoseconds) / 1000) <= 0.02)
    }

    @Test("stalls are hedged once the body is over, within the budget")
    func stallsHedgeAfterTheBody() throws {
      let survival = Self.sample(Self.stalls)
      let delay = try #require(HedgeDelayTuner.delay(primary: survival, hedge: survival, hedgeShare: 0.12))
      let microseconds = Double(delay.nanoseconds) / 1000
      #expect(survival.fractionSlower(than: microseconds) <= 0.12)
      // The stalls (3 %) are all slower than the delay: each one gets its hedge.
      #expect(microseconds < 300_000)
      #expect(HedgeDelayTuner.predictedLatency(primary: survival, hedge: survival, delay: microseconds) < 160_000)
    }

    @Test("a slow second provider moves the delay: the tuner reads both estimates")
    func theHedgesProviderCounts() throws {
      let primary = Self.sample(Self.heavyTail)
      let fast = Self.sample(Self.tight, seed: 8)
      let slow = Self.sample(SimulatedBehaviour.Latency(median: .milliseconds(400), p99: .milliseconds(6_000)), seed: 9)
      let toFast = HedgeDelayTuner.predictedLatency(primary: primary, hedge: fast, delay: 150_000)
      let toSlow = HedgeDelayTuner.predictedLatency(primary: primary, hedge: slow, delay: 150_000)
      #expect(toFast < toSlow)
      // Too few calls to the second provider: it is taken to be like the first.
      let unknown = LatencySurvival(answers: [(1_000_000, 3)], censored: [])
      #expect(
        HedgeDelayTuner.delay(primary: primary, hedge: unknown, hedgeShare: 0.12)
          == HedgeDelayTuner.delay(primary: primary, hedge: primary, hedgeShare: 0.12))
    }

    @Test("no estimate, no budget: no tuned delay")
    func nothingToTuneFrom() {
      #expect(HedgeDelayTuner.delay(primary: .empty, hedge: .empty, hedgeShare: 0.12) == nil)
      let survival = Self.sample(Self.heavyTail, count: 1_000)
      #expect(HedgeDelayTuner.delay(primary: survival, hedge: survival, hedgeShare: 0) == nil)
    }
  }
}
