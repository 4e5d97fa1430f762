import MarketCore
import MarketTesting
import Synchronization
import Testing

extension ResilienceTests {
  @Suite struct FanOutTests {
    // MARK: First wins

    @Test func firstWinsReturnsTheFastestSuccessAndCancelsTheRest() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock,
        script: [
          "a": (.milliseconds(300), .success("A")), "b": (.milliseconds(100), .success("B")),
          "c": (.milliseconds(200), .failure(.timeout)),
        ])
      let task = Task { await FanOut.firstWins(["a", "b", "c"], clock: clock) { try await upstream.call($0) } }
      await clock.waitForSleepers(3)
      clock.advance(by: .milliseconds(100))
      // No more time passes: the losers must stop because they were cancelled.
      let result = await task.value
      #expect(result.winner?.candidate == "b")
      #expect(result.winner?.index == 1)
      #expect(result.value == "B")
      #expect(result.requestsSent == 3)
      #expect(result.attempts.map(\.outcome) == [.cancelled, .success, .cancelled])
      #expect(result.attempts.map(\.kind) == [.primary, .concurrent, .concurrent])
      #expect(result.attempts[1].duration == .milliseconds(100))
      #expect(result.failures.isEmpty)
      #expect(clock.sleeperCount == 0)
    }

    @Test func firstWinsWithEveryCandidateFailingReportsEachFailure() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock,
        script: ["a": (.milliseconds(10), .failure(.timeout)), "b": (.milliseconds(20), .failure(.unauthorized))])
      let task = Task { await FanOut.firstWins(["a", "b"], clock: clock) { try await upstream.call($0) } }
      await clock.waitForSleepers(2)
      clock.advance(by: .milliseconds(20))
      let result = await task.value
      #expect(result.winner == nil)
      #expect(result.attempts.map(\.outcome) == [.failure(.timeout), .failure(.unauthorized)])
      #expect(result.failures.map(\.error) == [.timeout, .unauthorized])
    }

    @Test func aLoserFinishingLateNeverReplacesTheWinner() async {
      let gates = Gates()
      let task = Task {
        await FanOut.firstWins(["a", "b"], clock: ManualClock()) { name in
          await gates.wait(name)
          return "value from \(name)"
        }
      }
      await eventually { gates.isWaiting("a") && gates.isWaiting("b") }
      gates.open("a")
      // b ignores cancellation, like a call stuck in a blocking read; it answers anyway.
      await eventually { gates.wasCancelled("b") }
      gates.open("b")
      let result = await task.value
      #expect(result.winner?.candidate == "a")
      #expect(result.value == "value from a")
      #expect(result.attempts.map(\.outcome) == [.success, .success])
    }

    @Test func aCallerGoingAwayIsCancellationNotFailure() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock, script: ["a": (.seconds(1), .success("A")), "b": (.seconds(1), .success("B"))])
      let task = Task { await FanOut.firstWins(["a", "b"], clock: clock) { try await upstream.call($0) } }
      await clock.waitForSleepers(2)
      task.cancel()
      let result = await task.value
      #expect(result.winner == nil)
      #expect(result.attempts.map(\.outcome) == [.cancelled, .cancelled])
      #expect(result.failures.isEmpty)
    }

    // MARK: Hedged

    @Test func hedgedSendsNoSecondRequestWhenTheFirstAnswersInTime() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock, script: ["a": (.milliseconds(100), .success("A")), "b": (.milliseconds(10), .success("B"))])
      let budget = SharedHedgeBudget(maximumExtraRatio: 1)
      let task = Task {
        await FanOut.hedged(["a", "b"], delay: { _, _ in .milliseconds(200) }, budget: budget, clock: clock) {
          try await upstream.call($0)
        }
      }
      await clock.waitForSleepers(2)  // the call and the hedge timer
      clock.advance(by: .milliseconds(100))
      let result = await task.value
      #expect(result.value == "A")
      #expect(result.requestsSent == 1)
      #expect(upstream.calls == ["a"])
      #expect(budget.snapshot.extraRequests == 0)
      #expect(budget.snapshot.primaryRequests == 1)
      #expect(clock.sleeperCount == 0)
    }

    @Test func hedgedAsksTheNextOneAtATimeAfterEachDelay() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock,
        script: [
          "a": (.seconds(1), .success("A")), "b": (.seconds(1), .success("B")),
          "c": (.milliseconds(100), .success("C")),
        ])
      let budget = SharedHedgeBudget(maximumExtraRatio: 2)
      let delays: [String: Duration] = ["a": .milliseconds(200), "b": .milliseconds(300)]
      let task = Task {
        await FanOut.hedged(["a", "b", "c"], delay: { current, _ in delays[current] ?? .zero }, budget: budget, clock: clock) {
          try await upstream.call($0)
        }
      }
      await clock.waitForSleepers(2)
      #expect(upstream.calls == ["a"])
      clock.advance(by: .milliseconds(199))
      #expect(upstream.calls == ["a"])
      clock.advance(by: .milliseconds(1))
      await clock.waitForSleepers(3)  // a, b and b's hedge timer
      #expect(upstream.calls == ["a", "b"])
      clock.advance(by: .milliseconds(300))
      await clock.waitForSleepers(3)  // a, b, c
      #expect(upstream.calls == ["a", "b", "c"])
      clock.advance(by: .milliseconds(100))
      let result = await task.value
      #expect(result.value == "C")
      #expect(result.attempts.map(\.kind) == [.primary, .hedge, .hedge])
      #expect(result.attempts.map(\.outcome) == [.cancelled, .cancelled, .success])
      #expect(result.attempts.map(\.duration) == [.milliseconds(600), .milliseconds(400), .milliseconds(100)])
      #expect(budget.snapshot.extraRequests == 2)
    }

    @Test func hedgingRespectsTheExtraRequestRatio() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock, script: ["a": (.seconds(1), .success("A")), "b": (.milliseconds(100), .success("B"))])
      // One extra request per two primaries.
      let budget = SharedHedgeBudget(maximumExtraRatio: 0.5)
      var winners: [String] = []
      var refused: [Int] = []
      for round in 1...6 {
        let task = Task {
          await FanOut.hedged(["a", "b"], delay: { _, _ in .milliseconds(200) }, budget: budget, clock: clock) {
            try await upstream.call($0)
          }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(200))
        if round.isMultiple(of: 2) {
          await clock.waitForSleepers(2)  // the hedge went out
          clock.advance(by: .milliseconds(100))
        } else {
          clock.advance(by: .milliseconds(800))  // no budget: wait for the slow primary
        }
        let result = await task.value
        winners.append(result.value ?? "none")
        refused.append(result.refusedHedges)
      }
      #expect(winners == ["A", "B", "A", "B", "A", "B"])
      // The quotes that waited for the slow primary say their hedge was refused.
      #expect(refused == [1, 0, 1, 0, 1, 0])
      #expect(budget.snapshot.primaryRequests == 6)
      #expect(budget.snapshot.extraRequests == 3)
    }

    @Test func hedgedFailsOverAtOnceWhenTheOnlyRequestFails() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock,
        script: ["a": (.milliseconds(50), .failure(.malformedBody(excerpt: "<html>"))), "b": (.milliseconds(100), .success("B"))])
      let budget = SharedHedgeBudget(maximumExtraRatio: 0)  // never hedge
      let task = Task {
        await FanOut.hedged(["a", "b"], delay: { _, _ in .seconds(1) }, budget: budget, clock: clock) {
          try await upstream.call($0)
        }
      }
      await clock.waitForSleepers(2)
      clock.advance(by: .milliseconds(50))
      await clock.waitForSleepers(2)  // the stale hedge timer and b
      clock.advance(by: .milliseconds(100))
      let result = await task.value
      #expect(result.value == "B")
      #expect(result.attempts.map(\.kind) == [.primary, .failover])
      #expect(result.attempts.map(\.outcome) == [.failure(.malformedBody(excerpt: "<html>")), .success])
      #expect(budget.snapshot.extraRequests == 0)
      // A failover is never refused, but it is paid for: the next hedge waits longer.
      #expect(budget.snapshot.failoverRequests == 1)
      #expect(clock.sleeperCount == 0)
    }

    @Test func failoversSpendTheBudgetHedgesWouldUse() {
      var budget = HedgeBudget(maximumExtraRatio: 0.5)
      for _ in 0..<4 { budget.recordPrimary() }
      #expect(budget.availableExtraRequests == 2)
      budget.recordFailover()
      budget.recordFailover()
      budget.recordFailover()
      #expect(budget.failoverRequests == 3)
      // In debt by one: two more primaries only pay it back.
      budget.recordPrimary()
      budget.recordPrimary()
      let whileInDebt = budget.tryAcquireExtra()
      #expect(!whileInDebt)
      budget.recordPrimary()
      budget.recordPrimary()
      let afterRepaying = budget.tryAcquireExtra()
      #expect(afterRepaying)
    }

    @Test func aHedgedLoserFinishingLateNeverReplacesTheWinner() async {
      let clock = ManualClock()
      let gates = Gates()
      let budget = SharedHedgeBudget(maximumExtraRatio: 1)
      let task = Task {
        await FanOut.hedged(["a", "b"], delay: { _, _ in .milliseconds(50) }, budget: budget, clock: clock) { name in
          await gates.wait(name)
          return "value from \(name)"
        }
      }
      await eventually { gates.isWaiting("a") }
      await clock.waitForSleepers(1)
      clock.advance(by: .milliseconds(50))
      await eventually { gates.isWaiting("b") }
      gates.open("b")
      await eventually { gates.wasCancelled("a") }
      gates.open("a")
      let result = await task.value
      #expect(result.winner?.candidate == "b")
      #expect(result.value == "value from b")
      #expect(result.attempts.map(\.outcome) == [.success, .success])
    }

    @Test func noCandidatesMeansNoRequests() async {
      let budget = SharedHedgeBudget(maximumExtraRatio: 1)
      let call: @Sendable (String) async throws -> String = { $0 }
      let hedged = await FanOut.hedged([String](), delay: { _, _ in .zero }, budget: budget, clock: ManualClock(), call: call)
      let first = await FanOut.firstWins([String](), clock: ManualClock(), call: call)
      let failover = await FanOut.failover([String](), clock: ManualClock(), call: call)
      #expect(hedged.requestsSent == 0)
      #expect(first.requestsSent == 0)
      #expect(failover.winner == nil)
      #expect(budget.snapshot.primaryRequests == 0)
    }

    // MARK: Failover

    @Test func failoverAsksOneAtATimeUntilOneSucceeds() async {
      let clock = ManualClock()
      let upstream = ScriptedUpstream(
        clock: clock,
        script: [
          "a": (.milliseconds(10), .failure(.upstreamStatus(502))), "b": (.milliseconds(10), .success("B")),
          "c": (.milliseconds(10), .success("C")),
        ])
      let task = Task { await FanOut.failover(["a", "b", "c"], clock: clock) { try await upstream.call($0) } }
      await clock.waitForSleepers(1)
      #expect(upstream.calls == ["a"])
      clock.advance(by: .milliseconds(10))
      await clock.waitForSleepers(1)
      clock.advance(by: .milliseconds(10))
      let result = await task.value
      #expect(result.value == "B")
      #expect(upstream.calls == ["a", "b"])
      #expect(result.attempts.map(\.kind) == [.primary, .failover])
      #expect(result.failures.map(\.candidate) == ["a"])
    }

    // MARK: Hedge budget

    @Test func theHedgeBudgetNeverExceedsItsRatio() {
      var budget = HedgeBudget(maximumExtraRatio: 0.1, maximumSavedTokens: 2)
      var extras = 0
      for _ in 0..<1_000 {
        budget.recordPrimary()
        if budget.tryAcquireExtra() { extras += 1 }
      }
      #expect(extras == 100)
      // Idle primaries save up at most the cap.
      for _ in 0..<1_000 { budget.recordPrimary() }
      #expect(budget.availableExtraRequests == 2)
      #expect(HedgeBudget(maximumExtraRatio: 0).availableExtraRequests == 0)
    }
  }
}

/// A fake upstream: each candidate answers after a scripted latency on the manual clock.
final class ScriptedUpstream: Sendable {
  let clock: ManualClock
  let script: [String: (latency: Duration, result: Result<String, ProviderError>)]
  private let log = Mutex<[String]>([])

  init(clock: ManualClock, script: [String: (latency: Duration, result: Result<String, ProviderError>)]) {
    self.clock = clock
    self.script = script
  }

  var calls: [String] { log.withLock { $0 } }

  func call(_ candidate: String) async throws -> String {
    log.withLock { $0.append(candidate) }
    guard let entry = script[candidate] else { throw ProviderError.transport("unscripted \(candidate)") }
    try await clock.sleep(for: entry.latency)
    return try entry.result.get()
  }
}

/// Calls that return only when the test opens their gate, ignoring cancellation (as a call
/// stuck in a blocking read would) but noting it.
final class Gates: Sendable {
  private struct State {
    var waiting: [String: CheckedContinuation<Void, Never>] = [:]
    var opened: Set<String> = []
    var cancelled: Set<String> = []
  }

  private let state = Mutex(State())

  func wait(_ name: String) async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let openAlready = state.withLock { state in
          if state.opened.contains(name) { return true }
          state.waiting[name] = continuation
          return false
        }
        if openAlready { continuation.resume() }
      }
    } onCancel: {
      state.withLock { _ = $0.cancelled.insert(name) }
    }
  }

  func open(_ name: String) {
    let continuation = state.withLock { state in
      state.opened.insert(name)
      return state.waiting.removeValue(forKey: name)
    }
    continuation?.resume()
  }

  func isWaiting(_ name: String) -> Bool { state.withLock { $0.waiting[name] != nil } }
  func wasCancelled(_ name: String) -> Bool { state.withLock { $0.cancelled.contains(name) } }
}
