import MarketCore
import Testing

extension ResilienceTests {
  @Suite struct HealthTrackerTests {
    @Test func percentilesFromKnownSamples() throws {
      var tracker = HealthTracker()
      #expect(tracker.p95(at: instant(1)) == nil)
      for millisecond in 1...100 {
        tracker.record(.success, duration: .milliseconds(millisecond), at: instant(1))
      }
      let status = tracker.status(at: instant(1))
      // Two significant digits: within 1 %.
      try expect(status.p50, near: .milliseconds(50))
      try expect(status.p95, near: .milliseconds(95))
      try expect(status.p99, near: .milliseconds(99))
      try expect(tracker.p95(at: instant(1)), near: .milliseconds(95))
      try expect(tracker.latency(atPercentile: 100, at: instant(1)), near: .milliseconds(100))
    }

    @Test func theRollingWindowForgetsOldSamples() throws {
      var tracker = HealthTracker()  // 6 × 10 s
      for _ in 0..<100 { tracker.record(.success, duration: .milliseconds(10), at: instant(5)) }
      for _ in 0..<100 { tracker.record(.success, duration: .milliseconds(500), at: instant(35)) }
      try expect(tracker.latency(atPercentile: 25, at: instant(59)), near: .milliseconds(10))
      try expect(tracker.latency(atPercentile: 75, at: instant(59)), near: .milliseconds(500))

      // At 60 s the slice holding 0–10 s has left the window: read without rotating first…
      try expect(tracker.latency(atPercentile: 25, at: instant(60)), near: .milliseconds(500))
      #expect(tracker.status(at: instant(60)).totalRequests == 200)
      // …and after rotating, the same answer from the merged histogram.
      tracker.advance(to: instant(60))
      try expect(tracker.latency(atPercentile: 25, at: instant(60)), near: .milliseconds(500))

      // Long after everything: no latency, no rate, but the lifetime count stays.
      let idle = tracker.status(at: instant(200))
      #expect(idle.p50 == nil)
      #expect(idle.errorRate == nil)
      #expect(idle.requestsPerSecond == 0)
      #expect(idle.totalRequests == 200)
    }

    @Test func recordingAfterAGapStartsAFreshWindow() throws {
      var tracker = HealthTracker()
      tracker.record(.success, duration: .seconds(2), at: instant(0))
      tracker.record(.success, duration: .milliseconds(20), at: instant(3_600))
      try expect(tracker.status(at: instant(3_600)).p99, near: .milliseconds(20))
    }

    @Test func theEWMAMovesTowardsNewSamples() throws {
      var tracker = HealthTracker(configuration: .init(ewmaWeight: 0.5))
      #expect(tracker.ewmaLatency == nil)
      tracker.record(.success, duration: .milliseconds(100), at: instant(0))
      #expect(tracker.ewmaLatency == .milliseconds(100))
      tracker.record(.success, duration: .milliseconds(200), at: instant(1))
      #expect(tracker.ewmaLatency == .milliseconds(150))
      tracker.record(.success, duration: .milliseconds(350), at: instant(2))
      #expect(tracker.ewmaLatency == .milliseconds(250))
      // Failures do not move it: a fast refusal is not a fast answer.
      tracker.record(.failure(.transport("refused")), duration: .milliseconds(1), at: instant(3))
      #expect(tracker.status(at: instant(3)).ewma == .milliseconds(250))
    }

    @Test func errorsStreaksAndTheLastError() {
      var tracker = HealthTracker()
      tracker.record(.success, duration: .milliseconds(50), at: instant(1))
      tracker.record(.failure(.timeout), duration: .seconds(10), at: instant(2))
      tracker.record(.failure(.upstreamStatus(503)), duration: .milliseconds(40), at: instant(3))
      var status = tracker.status(at: instant(4))
      #expect(status.consecutiveFailures == 2)
      #expect(status.lastError == "upstream returned HTTP 503")
      #expect(status.errorRate == 2.0 / 3.0)

      // A rate limit is an error but not a fault: the streak neither grows nor resets.
      tracker.record(.failure(.rateLimited(retryAfter: nil)), duration: .milliseconds(5), at: instant(4))
      status = tracker.status(at: instant(4))
      #expect(status.consecutiveFailures == 2)
      #expect(status.errorRate == 0.75)
      #expect(status.lastError == "rate limited")

      // "No such symbol" is an answer: not an error, ends the streak.
      tracker.record(.failure(.unknownSymbol(Symbol("ZZZZ"))), duration: .milliseconds(30), at: instant(5))
      // Cancelled calls are neither requests nor errors.
      tracker.record(.cancelled, duration: .seconds(1), at: instant(5))
      status = tracker.status(at: instant(5))
      #expect(status.consecutiveFailures == 0)
      #expect(status.errorRate == 3.0 / 5.0)
      #expect(status.totalRequests == 5)
    }

    /// Hedging cancels the slow calls; if they vanished, the p95 would sink below the real
    /// one and hedges would fire ever sooner.
    @Test func aCancelledCallCountsInThePercentilesAsTheTimeItRan() throws {
      var tracker = HealthTracker()
      for millisecond in 1...90 { tracker.record(.success, duration: .milliseconds(millisecond), at: instant(1)) }
      // Ten calls hedged and cancelled after 500 ms: really slower than every answer.
      for _ in 0..<10 { tracker.record(.cancelled, duration: .milliseconds(500), at: instant(1)) }
      try expect(tracker.p95(at: instant(1)), near: .milliseconds(500))
      try expect(tracker.latency(atPercentile: 50, at: instant(1)), near: .milliseconds(50))
      let status = tracker.status(at: instant(1))
      #expect(status.totalRequests == 90)
      #expect(status.errorRate == 0)
      // The EWMA follows answers only (all under 100 ms).
      #expect(try #require(status.ewma) < .milliseconds(100))
      // Cancelled before it ran: nothing to learn.
      var fresh = HealthTracker()
      fresh.record(.cancelled, duration: .zero, at: instant(1))
      #expect(fresh.p95(at: instant(1)) == nil)
    }

    @Test func requestsPerSecondOverTheWindow() {
      var tracker = HealthTracker()
      // One call per second for two minutes: the 60 s window holds about 60.
      for second in 0..<120 { tracker.record(.success, duration: .milliseconds(10), at: instant(Double(second))) }
      let steady = tracker.status(at: instant(119.5)).requestsPerSecond
      #expect(abs(steady - 1) < 0.05)

      // A young tracker divides by its age, not by the whole window.
      var young = HealthTracker()
      for tenth in 0..<50 { young.record(.success, duration: .milliseconds(10), at: instant(Double(tenth) / 10)) }
      #expect(young.status(at: instant(5)).requestsPerSecond == 10)
    }

    func expect(_ measured: Duration?, near expected: Duration, sourceLocation: SourceLocation = #_sourceLocation)
      throws
    {
      let measured = try #require(measured, sourceLocation: sourceLocation)
      let error = abs(measured.seconds - expected.seconds) / expected.seconds
      #expect(error <= 0.01, "\(measured) is not within 1 % of \(expected)", sourceLocation: sourceLocation)
    }
  }
}
