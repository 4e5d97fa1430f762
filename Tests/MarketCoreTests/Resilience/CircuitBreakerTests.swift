import MarketCore
import Testing

extension ResilienceTests {
  @Suite struct CircuitBreakerTests {
    /// A small breaker that is easy to reason about: last 10 calls, judged from 5.
    static let small = CircuitBreakerConfiguration(
      slidingWindow: .countBased(size: 10), failureRateThreshold: 50, slowCallRateThreshold: 100,
      slowCallDurationThreshold: .seconds(1), minimumNumberOfCalls: 5, permittedCallsInHalfOpen: 3,
      waitDurationInOpen: .seconds(15), waitMultiplier: 1, maximumWaitDurationInOpen: .seconds(15),
      automaticTransitionFromOpenToHalfOpen: true, maximumWaitInHalfOpen: nil)

    @Test func defaultsSuitAMarketDataDesk() {
      let configuration = CircuitBreakerConfiguration()
      #expect(configuration.slidingWindow == .countBased(size: 20))
      #expect(configuration.minimumNumberOfCalls == 10)
      #expect(configuration.failureRateThreshold == 50)
      #expect(configuration.slowCallRateThreshold == 100)
      #expect(configuration.slowCallDurationThreshold == .seconds(3))
      #expect(configuration.waitDurationInOpen == .seconds(15))
      #expect(configuration.permittedCallsInHalfOpen == 3)
      #expect(configuration.maximumWaitInHalfOpen == .seconds(30))
      #expect(CircuitBreaker().state == .closed)
    }

    @Test func opensOnlyOnceTheMinimumNumberOfCallsIsReached() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      for second in 0..<4 {
        #expect(try breaker.call(.failure(.timeout), at: instant(Double(second))).isEmpty)
      }
      #expect(breaker.state == .closed)
      #expect(breaker.status(at: instant(4)).failureRate == nil)
      #expect(breaker.status(at: instant(4)).bufferedCalls == 4)

      let transitions = try breaker.call(.failure(.timeout), at: instant(4))
      #expect(transitions.count == 1)
      #expect(transitions.first?.from == .closed)
      #expect(transitions.first?.to == .open)
      #expect(transitions.first?.at == instant(4))
      #expect(transitions.first?.reason == "failure rate 100% over 5 calls (threshold 50%)")
      #expect(breaker.state == .open)
    }

    @Test func opensWhenTheFailureRateReachesTheThresholdExactly() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      for _ in 0..<5 { try breaker.call(.success, at: instant(0)) }
      for _ in 0..<4 { try breaker.call(.failure(.transport("reset")), at: instant(0)) }
      // 4 failures in 9 calls: 44 %.
      #expect(breaker.state == .closed)
      let transitions = try breaker.call(.failure(.timeout), at: instant(1))
      #expect(transitions.map(\.reason) == ["failure rate 50% over 10 calls (threshold 50%)"])
    }

    @Test func aFullWindowForgetsItsOldestCalls() throws {
      var configuration = Self.small
      configuration.failureRateThreshold = 90
      var breaker = CircuitBreaker(configuration: configuration)
      for _ in 0..<4 { try breaker.call(.failure(.timeout), at: instant(0)) }
      for _ in 0..<6 { try breaker.call(.success, at: instant(0)) }
      // 4 of 10 failed; each further success pushes a failure out.
      for _ in 0..<4 { try breaker.call(.success, at: instant(1)) }
      let status = breaker.status(at: instant(1))
      #expect(status.bufferedCalls == 10)
      #expect(status.failedCalls == 0)
      #expect(status.failureRate == 0)
    }

    @Test func opensOnSlowCalls() throws {
      var configuration = Self.small
      configuration.slowCallRateThreshold = 50
      var breaker = CircuitBreaker(configuration: configuration)
      // Exactly the threshold is not slow.
      for _ in 0..<5 { try breaker.call(.success, duration: .seconds(1), at: instant(0)) }
      for _ in 0..<4 { try breaker.call(.success, duration: .milliseconds(1_500), at: instant(0)) }
      #expect(breaker.state == .closed)
      let transitions = try breaker.call(.success, duration: .seconds(4), at: instant(1))
      #expect(transitions.map(\.reason) == ["slow-call rate 50% over 10 calls (threshold 50%)"])
      #expect(breaker.status(at: instant(1)).slowCallRate == 50)
      #expect(breaker.status(at: instant(1)).failureRate == 0)
    }

    @Test func slowFailuresCountTowardsBothRates() throws {
      var configuration = Self.small
      configuration.slowCallRateThreshold = 100
      var breaker = CircuitBreaker(configuration: configuration)
      for _ in 0..<4 { try breaker.call(.success, duration: .seconds(2), at: instant(0)) }
      let transitions = try breaker.call(.failure(.timeout), duration: .seconds(10), at: instant(0))
      #expect(transitions.first?.reason == "slow-call rate 100% over 5 calls (threshold 100%)")
    }

    @Test func rejectsWhileOpenAndCountsTheRejections() throws {
      var breaker = try Self.openedBreaker(at: instant(10))
      for second in [11.0, 12, 20] {
        let (decision, transitions) = breaker.acquirePermission(at: instant(second))
        #expect(transitions.isEmpty)
        #expect(decision == .rejected(retryAfter: instant(25) - instant(second), state: .open))
      }
      let status = breaker.status(at: instant(20))
      #expect(status.state == .open)
      #expect(status.notPermittedCalls == 3)
      #expect(status.nextProbeIn == .seconds(5))
      #expect(status.failureRate == 100)
      #expect(status.bufferedCalls == 5)
      #expect(status.consecutiveOpenings == 1)
      #expect(status.lastTransitionReason == "failure rate 100% over 5 calls (threshold 50%)")
      #expect(
        breaker.acquirePermission(at: instant(21)).0.skipReason == .circuitOpen(retryIn: .seconds(4)))
    }

    @Test func movesToHalfOpenAutomaticallyWhenTheWaitIsOver() throws {
      var breaker = try Self.openedBreaker(at: instant(10))
      #expect(breaker.nextTimedTransition == instant(25))
      #expect(breaker.advance(to: instant(25) - .nanoseconds(1)).isEmpty)
      let transitions = breaker.advance(to: instant(25))
      #expect(transitions.map(\.description) == ["open → half-open: wait of 15 s elapsed"])
      #expect(breaker.state == .halfOpen)
      #expect(breaker.status(at: instant(25)).notPermittedCalls == 0)
    }

    @Test func movesToHalfOpenLazilyOnTheNextAcquire() throws {
      var configuration = Self.small
      configuration.automaticTransitionFromOpenToHalfOpen = false
      var breaker = try Self.openedBreaker(at: instant(10), configuration: configuration)
      #expect(breaker.nextTimedTransition == nil)
      #expect(breaker.advance(to: instant(100)).isEmpty)
      #expect(breaker.state == .open)
      #expect(breaker.status(at: instant(100)).nextProbeIn == .zero)

      let (decision, transitions) = breaker.acquirePermission(at: instant(100))
      #expect(transitions.map(\.to) == [.halfOpen])
      #expect(transitions.first?.at == instant(100))
      #expect(decision.permit?.isProbe == true)
    }

    @Test func permitsExactlyTheConfiguredNumberOfProbes() throws {
      var breaker = try Self.halfOpenBreaker()
      let permits = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(26)).0.permit }
      #expect(permits.count == 3)
      #expect(Set(permits).count == 3)
      #expect(permits.allSatisfy { $0.isProbe })
      let (fourth, _) = breaker.acquirePermission(at: instant(26))
      #expect(fourth == .rejected(retryAfter: nil, state: .halfOpen))
      #expect(breaker.status(at: instant(26)).notPermittedCalls == 1)
    }

    @Test func closesWhenTheProbesPass() throws {
      var breaker = try Self.halfOpenBreaker()
      let permits = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(26)).0.permit }
      #expect(breaker.record(.success, permit: permits[0], duration: .milliseconds(80), at: instant(27)).isEmpty)
      #expect(breaker.record(.failure(.timeout), permit: permits[1], duration: .seconds(10), at: instant(28)).isEmpty)
      let transitions = breaker.record(.success, permit: permits[2], duration: .milliseconds(80), at: instant(29))
      #expect(transitions.map(\.description) == ["half-open → closed: 3 probes passed: failure rate 33%, slow-call rate 33%"])
      let status = breaker.status(at: instant(29))
      #expect(status.state == .closed)
      #expect(status.bufferedCalls == 0)
      #expect(status.consecutiveOpenings == 0)
    }

    @Test func reopensWhenTheProbesFailAndWaitsLonger() throws {
      var configuration = Self.small
      configuration.waitMultiplier = 2
      configuration.maximumWaitDurationInOpen = .seconds(120)
      var breaker = try Self.halfOpenBreaker(configuration: configuration)
      let permits = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(26)).0.permit }
      breaker.record(.failure(.timeout), permit: permits[0], duration: .seconds(1), at: instant(27))
      breaker.record(.success, permit: permits[1], duration: .seconds(1), at: instant(27))
      let transitions = breaker.record(.failure(.unauthorized), permit: permits[2], duration: .seconds(1), at: instant(28))
      #expect(
        transitions.map(\.description) == ["half-open → open: probes failed: failure rate 67% over 3 calls (threshold 50%)"])
      let status = breaker.status(at: instant(28))
      #expect(status.nextProbeIn == .seconds(30))
      #expect(status.consecutiveOpenings == 2)
    }

    @Test func cancelledAndIgnoredProbesHandTheirSlotBack() throws {
      var breaker = try Self.halfOpenBreaker()
      let permits = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(26)).0.permit }
      #expect(breaker.acquirePermission(at: instant(26)).0.permit == nil)
      breaker.record(.cancelled, permit: permits[0], duration: .milliseconds(5), at: instant(26))
      breaker.record(.failure(.unknownSymbol(Symbol("ZZZZ"))), permit: permits[1], duration: .milliseconds(5), at: instant(26))
      // Recording the same permit again changes nothing.
      breaker.record(.cancelled, permit: permits[0], duration: .milliseconds(5), at: instant(26))
      let replacements = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(27)).0.permit }
      #expect(replacements.count == 2)
      #expect(breaker.state == .halfOpen)
    }

    @Test func halfOpenWithoutAVerdictReopensAfterTheMaximumWait() throws {
      var configuration = Self.small
      configuration.maximumWaitInHalfOpen = .seconds(5)
      var breaker = try Self.halfOpenBreaker(configuration: configuration)
      let probe = try #require(breaker.acquirePermission(at: instant(26)).0.permit)
      #expect(breaker.nextTimedTransition == instant(30))
      #expect(breaker.advance(to: instant(29)).isEmpty)
      let transitions = breaker.advance(to: instant(30))
      #expect(transitions.map(\.description) == ["half-open → open: probes gave no verdict within 5 s"])
      // The straggler's late success belongs to the half-open that is gone.
      #expect(breaker.record(.success, permit: probe, duration: .seconds(5), at: instant(31)).isEmpty)
      #expect(breaker.state == .open)
      #expect(breaker.status(at: instant(31)).consecutiveOpenings == 2)
    }

    @Test func halfOpenMaximumWaitAlsoAppliesLazily() throws {
      var configuration = Self.small
      configuration.maximumWaitInHalfOpen = .seconds(5)
      var breaker = try Self.halfOpenBreaker(configuration: configuration)
      _ = breaker.acquirePermission(at: instant(26))
      let (decision, transitions) = breaker.acquirePermission(at: instant(40))
      #expect(transitions.map(\.to) == [.open])
      #expect(decision == .rejected(retryAfter: .seconds(15), state: .open))
    }

    @Test func forcedOpenRejectsEverythingAndIgnoresResults() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      let inFlight = try #require(breaker.acquirePermission(at: instant(0)).0.permit)
      let transitions = breaker.trip(at: instant(1), note: "garbage prices")
      #expect(transitions.map(\.description) == ["closed → forced-open: tripped by operator: garbage prices"])
      #expect(breaker.trip(at: instant(2)).isEmpty)
      for second in [2.0, 100, 10_000] {
        let (decision, timed) = breaker.acquirePermission(at: instant(second))
        #expect(decision == .rejected(retryAfter: nil, state: .forcedOpen))
        #expect(decision.skipReason == .forcedOpen)
        #expect(timed.isEmpty)
      }
      #expect(breaker.record(.failure(.timeout), permit: inFlight, duration: .seconds(1), at: instant(3)).isEmpty)
      #expect(breaker.advance(to: instant(1_000_000)).isEmpty)
      let status = breaker.status(at: instant(10_000))
      #expect(status.state == .forcedOpen)
      #expect(status.notPermittedCalls == 3)
      #expect(status.nextProbeIn == nil)
      #expect(breaker.reset(at: instant(10_001)).map(\.description) == ["forced-open → closed: reset by operator"])
      #expect(breaker.acquirePermission(at: instant(10_001)).0.permit != nil)
    }

    @Test func aDisabledBreakerNeverOpens() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      #expect(breaker.disable(at: instant(0)).map(\.to) == [.disabled])
      for index in 0..<100 {
        #expect(try breaker.call(.failure(.timeout), duration: .seconds(30), at: instant(Double(index))).isEmpty)
      }
      #expect(breaker.state == .disabled)
      #expect(breaker.status(at: instant(100)).bufferedCalls == 0)
      #expect(breaker.enable(at: instant(100)).map(\.description) == ["disabled → closed: enabled by operator"])
      #expect(breaker.enable(at: instant(100)).isEmpty)
    }

    @Test func metricsOnlyRecordsButAlwaysAllows() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      breaker.switchToMetricsOnly(at: instant(0))
      for index in 0..<20 {
        #expect(try breaker.call(.failure(.timeout), at: instant(Double(index))).isEmpty)
      }
      let status = breaker.status(at: instant(20))
      #expect(status.state == .metricsOnly)
      #expect(status.failureRate == 100)
      #expect(status.bufferedCalls == 10)
      #expect(breaker.acquirePermission(at: instant(21)).0.permit != nil)
    }

    @Test func resetClearsTheWindowAndForgetsCallsInFlight() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      for _ in 0..<4 { try breaker.call(.failure(.timeout), at: instant(0)) }
      let inFlight = try #require(breaker.acquirePermission(at: instant(0)).0.permit)
      #expect(breaker.reset(at: instant(1)).isEmpty)  // closed → closed is not a transition
      #expect(breaker.status(at: instant(1)).bufferedCalls == 0)
      // Had it counted, this would be the fifth failure and open the breaker.
      #expect(breaker.record(.failure(.timeout), permit: inFlight, duration: .seconds(1), at: instant(2)).isEmpty)
      #expect(breaker.status(at: instant(2)).bufferedCalls == 0)
      #expect(breaker.state == .closed)
    }

    @Test func callsInFlightAcrossATransitionCountWhereTheyBelong() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      // Let through while closed, still running when the breaker opens and goes half-open.
      let slowClosedCall = try #require(breaker.acquirePermission(at: instant(0)).0.permit)
      for _ in 0..<5 { try breaker.call(.failure(.timeout), at: instant(1)) }
      #expect(breaker.state == .open)
      breaker.advance(to: instant(16))
      #expect(breaker.state == .halfOpen)
      let probes = (0..<3).compactMap { _ in breaker.acquirePermission(at: instant(16)).0.permit }

      // Its failure is not a failed probe, and does not take a probe's place.
      #expect(breaker.record(.failure(.timeout), permit: slowClosedCall, duration: .seconds(20), at: instant(20)).isEmpty)
      #expect(breaker.status(at: instant(20)).bufferedCalls == 0)

      for probe in probes.dropLast() { breaker.record(.success, permit: probe, duration: .milliseconds(50), at: instant(21)) }
      let closing = try #require(probes.last)
      #expect(breaker.record(.success, permit: closing, duration: .milliseconds(50), at: instant(21)).map(\.to) == [.closed])

      // A probe reported after the close does not count in the new closed window either.
      #expect(breaker.record(.failure(.timeout), permit: probes[0], duration: .seconds(1), at: instant(22)).isEmpty)
      #expect(breaker.status(at: instant(22)).bufferedCalls == 0)
    }

    @Test func waitGrowsWithConsecutiveOpeningsAndIsCapped() throws {
      var configuration = Self.small
      configuration.waitDurationInOpen = .seconds(10)
      configuration.waitMultiplier = 2
      configuration.maximumWaitDurationInOpen = .seconds(35)
      #expect((1...5).map(configuration.waitDuration(forOpening:)) == [10, 20, 35, 35, 35].map { Duration.seconds($0) })

      // Open, then fail every round of probes: each reopening waits longer, up to the cap.
      var breaker = CircuitBreaker(configuration: configuration)
      var now = instant(0)
      for _ in 0..<5 { try breaker.call(.failure(.timeout), at: now) }
      var waits: [Duration] = []
      for _ in 0..<4 {
        let wait = try #require(breaker.status(at: now).nextProbeIn)
        waits.append(wait)
        now = now + wait
        try breaker.failAllProbes(at: now)
        #expect(breaker.state == .open)
      }
      #expect(waits == [10, 20, 35, 35].map { Duration.seconds($0) })

      // A close resets the count: the next opening waits the base duration again.
      now = now + .seconds(35)
      for _ in 0..<3 { try breaker.call(.success, at: now) }
      #expect(breaker.state == .closed)
      for _ in 0..<5 { try breaker.call(.failure(.timeout), at: now) }
      #expect(breaker.status(at: now).nextProbeIn == .seconds(10))
    }

    @Test func ignoredErrorsDoNotCount() throws {
      var breaker = CircuitBreaker(configuration: Self.small)
      let ignored: [ProviderError] = [
        .unknownSymbol(Symbol("ZZZZ")), .unsupportedSymbol(Symbol("600519.SS")), .rateLimited(retryAfter: .seconds(30)),
        .rateLimited(retryAfter: nil), .quotaExhausted, .cancelled,
      ]
      for (index, error) in (ignored + ignored + ignored).enumerated() {
        #expect(try breaker.call(.failure(error), at: instant(Double(index))).isEmpty)
      }
      #expect(try breaker.call(.cancelled, at: instant(20)).isEmpty)
      #expect(breaker.status(at: instant(20)).bufferedCalls == 0)
      // An HTTP 404 is the provider answering: recorded, as a success.
      try breaker.call(.failure(.upstreamStatus(404)), at: instant(21))
      #expect(breaker.status(at: instant(21)).bufferedCalls == 1)
      #expect(breaker.status(at: instant(21)).failedCalls == 0)
    }

    @Test func failureClassificationIsConfigurable() {
      let strict = FailureClassification(failureClasses: ["upstream_status", "rate_limited"], ignoredClasses: ["timeout"])
      #expect(strict.verdict(for: .upstreamStatus(404)) == .failure)
      #expect(strict.verdict(for: .timeout) == .ignored)
      #expect(strict.verdict(for: .transport("reset")) == .success)
      // Rate limits and cancellation are never failures, whatever the configuration says.
      #expect(strict.verdict(for: .rateLimited(retryAfter: nil)) == .ignored)
      #expect(strict.verdict(for: ProviderError.cancelled) == .ignored)
      #expect(FailureClassification.default.verdict(for: .upstreamStatus(503)) == .failure)
      #expect(FailureClassification.default.verdict(for: .malformedBody(excerpt: "<html>")) == .failure)
    }

    @Test func aTimeBasedWindowDropsOldBuckets() throws {
      var configuration = Self.small
      configuration.slidingWindow = .timeBased(duration: .seconds(10))
      var breaker = CircuitBreaker(configuration: configuration)
      for _ in 0..<4 { try breaker.call(.failure(.timeout), at: instant(0.5)) }
      #expect(breaker.status(at: instant(9.9)).bufferedCalls == 4)
      // Second 0 has left the 10-second window by second 10.
      #expect(breaker.status(at: instant(10)).bufferedCalls == 0)
      #expect(try breaker.call(.failure(.timeout), at: instant(10.2)).isEmpty)
      #expect(breaker.state == .closed)

      // Within the window, the same five failures open it.
      var fresh = CircuitBreaker(configuration: configuration)
      for _ in 0..<4 { try fresh.call(.failure(.timeout), at: instant(0.5)) }
      #expect(try fresh.call(.failure(.timeout), at: instant(9.5)).map(\.to) == [.open])
    }

    @Test func aTimeBasedWindowKeepsItsMinimumEvenWhenLarge() throws {
      var configuration = Self.small
      configuration.slidingWindow = .timeBased(duration: .seconds(2))
      configuration.minimumNumberOfCalls = 50
      var breaker = CircuitBreaker(configuration: configuration)
      for _ in 0..<49 { try breaker.call(.failure(.timeout), at: instant(1)) }
      #expect(breaker.state == .closed)
      #expect(try breaker.call(.failure(.timeout), at: instant(1)).map(\.to) == [.open])
    }

    @Test func onlyLegalTransitionsCanHappen() {
      #expect(!BreakerState.closed.canTransition(to: .halfOpen))
      #expect(!BreakerState.forcedOpen.canTransition(to: .open))
      #expect(!BreakerState.disabled.canTransition(to: .halfOpen))
      #expect(!BreakerState.open.canTransition(to: .open))
      #expect(BreakerState.open.canTransition(to: .halfOpen))
      #expect(BreakerState.halfOpen.canTransition(to: .open))
      #expect(BreakerState.halfOpen.canTransition(to: .closed))

      // Thousands of random events: every transition is legal and chains from the last.
      var random = SeededRandom(seed: 42)
      var breaker = CircuitBreaker(configuration: Self.small)
      var now = MarketInstant.origin
      var permits: [CallPermit] = []
      var state = breaker.state
      for _ in 0..<20_000 {
        now = now + .milliseconds(Int64(random.next() % 3_000))
        var transitions: [BreakerTransition] = []
        switch random.next() % 20 {
        case 0..<8:
          let (decision, timed) = breaker.acquirePermission(at: now)
          transitions += timed
          if let permit = decision.permit { permits.append(permit) }
        case 8..<16 where !permits.isEmpty:
          let permit = permits.remove(at: Int(random.next() % UInt64(permits.count)))
          let outcomes: [CallOutcome] = [
            .success, .success, .failure(.timeout), .cancelled, .failure(.unknownSymbol(Symbol("X"))),
          ]
          let outcome = outcomes[Int(random.next() % UInt64(outcomes.count))]
          transitions += breaker.record(
            outcome, permit: permit, duration: .milliseconds(Int64(random.next() % 2_000)), at: now)
        case 16: transitions += breaker.advance(to: now)
        case 17: transitions += random.next() % 4 == 0 ? breaker.trip(at: now) : breaker.reset(at: now)
        case 18: transitions += random.next() % 2 == 0 ? breaker.disable(at: now) : breaker.switchToMetricsOnly(at: now)
        default: transitions += breaker.enable(at: now)
        }
        for transition in transitions {
          #expect(transition.from == state)
          #expect(transition.from.canTransition(to: transition.to))
          state = transition.to
        }
        #expect(breaker.state == state)
      }
    }

    // MARK: Helpers

    /// A breaker that opened at `now` after five failures.
    static func openedBreaker(
      at now: MarketInstant, configuration: CircuitBreakerConfiguration = small
    ) throws -> CircuitBreaker {
      var breaker = CircuitBreaker(configuration: configuration)
      for _ in 0..<5 { try breaker.call(.failure(.timeout), at: now) }
      try #require(breaker.state == .open)
      return breaker
    }

    /// A breaker that opened at 10 s and went half-open at 25 s.
    static func halfOpenBreaker(configuration: CircuitBreakerConfiguration = small) throws -> CircuitBreaker {
      var breaker = try openedBreaker(at: instant(10), configuration: configuration)
      breaker.advance(to: instant(25))
      try #require(breaker.state == .halfOpen)
      return breaker
    }
  }
}

extension CircuitBreaker {
  /// Acquires a permit and records `outcome` for it at once.
  @discardableResult
  mutating func call(
    _ outcome: CallOutcome, duration: Duration = .milliseconds(100), at now: MarketInstant
  ) throws -> [BreakerTransition] {
    let (decision, transitions) = acquirePermission(at: now)
    let permit = try #require(decision.permit, "the breaker rejected a call in state \(state)")
    return transitions + record(outcome, permit: permit, duration: duration, at: now)
  }

  /// Lets every probe through and fails it, so a half-open breaker reopens.
  mutating func failAllProbes(at now: MarketInstant) throws {
    let permits = (0..<configuration.permittedCallsInHalfOpen).compactMap { _ in acquirePermission(at: now).0.permit }
    try #require(permits.count == configuration.permittedCallsInHalfOpen)
    for permit in permits { record(.failure(.timeout), permit: permit, duration: .seconds(1), at: now) }
  }
}
