/// The ways of asking several providers for one answer. Thin async drivers over a
/// caller-supplied call; every decision that needs state (which providers, in what order,
/// how long to wait, whether a hedge is affordable) comes in as a value or from a sans-I/O
/// budget, and every request's outcome goes back out in the ``FanOutResult`` for the
/// caller to record. Time comes from the injected ``MarketClock``.
///
/// In all three the first success wins and nothing later replaces it. A request that fails
/// after its task was cancelled (because another won, or the caller went away) is reported
/// as cancelled, not as the provider's failure.
public enum FanOut {
  /// One at a time, in order, until one succeeds.
  public static func failover<Candidate: Sendable, Value: Sendable>(
    _ candidates: [Candidate], clock: any MarketClock, call: @Sendable (Candidate) async throws -> Value
  ) async -> FanOutResult<Candidate, Value> {
    var attempts: [FanOutResult<Candidate, Value>.Attempt] = []
    for (index, candidate) in candidates.enumerated() {
      if Task.isCancelled { break }
      let (result, duration) = await perform(candidate, clock: clock, call: call)
      attempts.append(
        .init(
          index: index, candidate: candidate, kind: index == 0 ? .primary : .failover, outcome: outcome(of: result),
          duration: duration))
      if case .success(let value) = result {
        return FanOutResult(winner: .init(index: index, candidate: candidate, value: value), attempts: attempts)
      }
    }
    return FanOutResult(winner: nil, attempts: attempts)
  }

  /// All at once; the first success wins and the rest are cancelled at once.
  public static func firstWins<Candidate: Sendable, Value: Sendable>(
    _ candidates: [Candidate], clock: any MarketClock, call: @escaping @Sendable (Candidate) async throws -> Value
  ) async -> FanOutResult<Candidate, Value> {
    await withTaskGroup(of: Event<Value>.self) { group in
      var attempts = candidates.enumerated().map { index, candidate in
        FanOutResult<Candidate, Value>.Attempt(
          index: index, candidate: candidate, kind: index == 0 ? .primary : .concurrent, outcome: .cancelled,
          duration: .zero)
      }
      for (index, candidate) in candidates.enumerated() {
        group.addTask {
          let (result, duration) = await perform(candidate, clock: clock, call: call)
          return .completed(slot: index, result: result, duration: duration)
        }
      }
      var winner: FanOutResult<Candidate, Value>.Winner?
      for await event in group {
        guard case .completed(let slot, let result, let duration) = event else { continue }
        attempts[slot].outcome = outcome(of: result)
        attempts[slot].duration = duration
        if winner == nil, case .success(let value) = result {
          winner = .init(index: slot, candidate: candidates[slot], value: value)
          group.cancelAll()
        }
      }
      return FanOutResult(winner: winner, attempts: attempts)
    }
  }

  /// Asks the first candidate; if it has not answered after `delay(first, second)`, also
  /// asks the second, and so on, one at a time, while `budget` allows extra requests. The
  /// first success wins and the others are cancelled. When every request in flight has
  /// failed, the next candidate is asked at once (a failover, which the budget charges but
  /// never refuses).
  ///
  /// `delay(current, next)` is usually the ``HedgeDelayTuner``'s pick for that pair, so only
  /// the slowest requests are hedged. Each call counts as one primary request in `budget`;
  /// each hedge and failover spends one extra.
  public static func hedged<Candidate: Sendable, Value: Sendable>(
    _ candidates: [Candidate],
    delay: (_ current: Candidate, _ next: Candidate) -> Duration,
    budget: SharedHedgeBudget,
    clock: any MarketClock,
    call: @escaping @Sendable (Candidate) async throws -> Value
  ) async -> FanOutResult<Candidate, Value> {
    guard !candidates.isEmpty else { return FanOutResult(winner: nil, attempts: []) }
    return await withTaskGroup(of: Event<Value>.self) { group in
      var attempts: [FanOutResult<Candidate, Value>.Attempt] = []
      var winner: FanOutResult<Candidate, Value>.Winner?
      var inFlight = 0
      /// Only the newest hedge timer counts; older ones still asleep are ignored.
      var timerSequence = 0
      var refusedHedges = 0

      func send(_ kind: FanOutResult<Candidate, Value>.Attempt.Kind) {
        let slot = attempts.count
        let candidate = candidates[slot]
        attempts.append(.init(index: slot, candidate: candidate, kind: kind, outcome: .cancelled, duration: .zero))
        inFlight += 1
        group.addTask {
          let (result, duration) = await perform(candidate, clock: clock, call: call)
          return .completed(slot: slot, result: result, duration: duration)
        }
        guard attempts.count < candidates.count else { return }
        timerSequence += 1
        let sequence = timerSequence
        let deadline = clock.now() + max(.zero, delay(candidate, candidates[slot + 1]))
        group.addTask {
          do {
            try await clock.sleep(until: deadline)
            return .hedgeTimerFired(sequence: sequence)
          } catch {
            return .hedgeTimerCancelled
          }
        }
      }

      budget.recordPrimary()
      send(.primary)
      for await event in group {
        switch event {
        case .completed(let slot, let result, let duration):
          inFlight -= 1
          attempts[slot].outcome = outcome(of: result)
          attempts[slot].duration = duration
          guard winner == nil else { continue }
          if case .success(let value) = result {
            winner = .init(index: slot, candidate: candidates[slot], value: value)
            group.cancelAll()
          } else if inFlight == 0 {
            if attempts.count < candidates.count, !Task.isCancelled {
              budget.recordFailover()
              send(.failover)
            } else {
              group.cancelAll()
            }
          }
        case .hedgeTimerFired(let sequence):
          guard winner == nil, sequence == timerSequence, attempts.count < candidates.count else { continue }
          if budget.tryAcquireExtra() { send(.hedge) } else { refusedHedges += 1 }
        case .hedgeTimerCancelled:
          continue
        }
      }
      return FanOutResult(winner: winner, attempts: attempts, refusedHedges: refusedHedges)
    }
  }

  // MARK: Internals

  private enum Event<Value: Sendable>: Sendable {
    case completed(slot: Int, result: Result<Value, ProviderError>, duration: Duration)
    case hedgeTimerFired(sequence: Int)
    case hedgeTimerCancelled
  }

  /// Runs one call, timing it; a failure after cancellation becomes `.cancelled`.
  private static func perform<Candidate, Value>(
    _ candidate: Candidate, clock: any MarketClock, call: (Candidate) async throws -> Value
  ) async -> (Result<Value, ProviderError>, Duration) {
    let start = clock.now()
    do {
      let value = try await call(candidate)
      return (.success(value), clock.now() - start)
    } catch {
      let failure = Task.isCancelled ? ProviderError.cancelled : ProviderError.from(error)
      return (.failure(failure), clock.now() - start)
    }
  }

  private static func outcome<Value>(of result: Result<Value, ProviderError>) -> CallOutcome {
    switch result {
    case .success: .success
    case .failure(.cancelled): .cancelled
    case .failure(let error): .failure(error)
    }
  }
}
