import Foundation
import Metrics
import Synchronization

/// One configured provider inside the core: the adapter plus its circuit breaker, health and
/// limits. Every upstream call, of any data class, goes through ``call(_:_:validate:)``, which
/// asks the limits and the breaker first, then the cluster budget when there is one, checks
/// what came back, and records the outcome in all three afterwards, so none is ever skipped.
final class ProviderRuntime: Sendable {
  let provider: any MarketDataProvider
  let priority: Int
  let weight: Double
  let metrics: CoreMetrics.Provider
  private let coreMetrics: CoreMetrics
  private let state: Mutex<State>
  private let hedgeTuning = Mutex(HedgeTuning())
  private let clock: any MarketClock
  /// Told about every breaker transition (the core turns them into events).
  private let transitions: @Sendable (ProviderID, [BreakerTransition]) -> Void
  /// The fleet-wide budget and this provider's limits in it; nil when the provider has no
  /// rate or quota, or the core runs alone.
  private let budget: (budget: any ClusterBudget, limits: BudgetLimits)?

  struct State {
    var breaker: CircuitBreaker
    var health: HealthTracker
    var limits: ProviderLimits
    /// An operator's off switch: a disabled provider is never asked.
    var isEnabled = true
    /// The cluster budget refused until then: skipped without asking it again.
    var budgetRefusal: (reason: ProviderSkip.Reason, until: MarketInstant)?
  }

  /// The latency estimate and the delays tuned from it, kept for a moment: the tuner reads
  /// a few thousand counters, too many to read for every quote.
  struct HedgeTuning {
    static let refreshInterval = Duration.milliseconds(250)
    /// Enough calls to place a p99 from the newest slices alone when the provider is busy.
    static let minimumSamples = 4_000
    var survival = LatencySurvival.empty
    var failoverRate = 0.0
    var measuredAt: MarketInstant?
    var delays: [ProviderID: (delay: Duration?, tunedAt: MarketInstant)] = [:]

    func isFresh(_ instant: MarketInstant?, at now: MarketInstant) -> Bool {
      instant.map { now - $0 < Self.refreshInterval && $0 <= now } ?? false
    }
  }

  /// What one admitted call holds until it ends.
  struct Admission {
    var permit: CallPermit
    var limit: LimitPermit
    /// When the limits admitted it (the UTC day its quota unit belongs to).
    var wallTime: Date
  }

  init(
    _ registration: ProviderRegistration, metrics: CoreMetrics, clock: any MarketClock,
    budget: (any ClusterBudget)? = nil, transitions: @escaping @Sendable (ProviderID, [BreakerTransition]) -> Void
  ) {
    self.provider = registration.provider
    self.priority = registration.priority
    self.weight = registration.weight
    self.coreMetrics = metrics
    self.metrics = metrics.provider(registration.provider.id)
    self.clock = clock
    self.transitions = transitions
    self.budget = budget.flatMap { budget in BudgetLimits(registration.limits).map { (budget, $0) } }
    self.state = Mutex(
      State(
        breaker: CircuitBreaker(configuration: registration.breaker),
        health: HealthTracker(configuration: registration.health),
        limits: ProviderLimits(configuration: registration.limits, at: clock.now())))
  }

  var id: ProviderID { provider.id }

  // MARK: Calling

  /// One upstream call for a batch of requests, if the limits and the breaker allow it; every
  /// request gets a result. Each value `fetch` returns is checked with `validate` *inside* the
  /// recorded call: a body that parses but cannot be right is this provider failing
  /// (`bad_data`), counted by its breaker and health like a 5xx, and never handed on.
  func call<Request: Hashable & Sendable, Value: Sendable>(
    _ requests: [Request],
    _ fetch: @Sendable ([Request]) async throws -> [Request: Result<Value, ProviderError>],
    validate: (Request, Value) -> String?
  ) async -> [Request: Result<Value, ProviderError>] {
    let admission: Admission
    switch admit() {
    case .failure(let reason):
      return Dictionary(requests.map { ($0, .failure(.notAdmitted(reason))) }) { first, _ in first }
    case .success(let admitted): admission = admitted
    }
    if let refusal = await spendClusterBudget() {
      withdraw(admission)
      return Dictionary(requests.map { ($0, .failure(.notAdmitted(refusal))) }) { first, _ in first }
    }
    let start = clock.now()
    metrics.requests.increment()
    coreMetrics.upstreamCallStarted()
    defer { coreMetrics.upstreamCallEnded() }
    var results: [Request: Result<Value, ProviderError>] = [:]
    var outcome = CallOutcome.success
    do {
      let answers = try await fetch(requests)
      var firstFailure: ProviderError?
      var anySuccess = false
      for request in requests {
        let result: Result<Value, ProviderError>
        switch answers[request] {
        case .success(let value)?:
          if let problem = validate(request, value) {
            let rejection = ProviderError.badData(reason: ProviderError.sanitizedExcerpt(problem, limit: 160))
            result = .failure(rejection)
            outcome = .failure(rejection)
          } else {
            result = .success(value)
          }
        case .failure(let error)?: result = .failure(error)
        case nil: result = .failure(.malformedBody(excerpt: "the answer left out \(request)"))
        }
        results[request] = result
        switch result {
        case .success: anySuccess = true
        case .failure(let error): firstFailure = firstFailure ?? error
        }
      }
      // A call that answered nothing but failures ended as its first one (an unknown symbol
      // asked alone, say), whatever shape the provider gave it.
      if !anySuccess, case .success = outcome, let firstFailure { outcome = .failure(firstFailure) }
    } catch {
      let failure = Task.isCancelled ? ProviderError.cancelled : ProviderError.from(error)
      outcome = failure == .cancelled ? .cancelled : .failure(failure)
      results = Dictionary(requests.map { ($0, .failure(failure)) }) { first, _ in first }
    }
    let duration = clock.now() - start
    metrics.latency.recordNanoseconds(max(0, duration.nanoseconds))
    if case .failure(let error) = outcome { metrics.recordError(error) }
    complete(admission, outcome: outcome, duration: duration)
    return results
  }

  /// Takes a limit permit and a breaker permit, or says why not.
  func admit() -> Result<Admission, ProviderSkip.Reason> {
    let now = clock.now()
    let wallTime = clock.wallTime(at: now)
    let (result, changes): (Result<Admission, ProviderSkip.Reason>, [BreakerTransition]) = state.withLock { state in
      guard state.isEnabled else { return (.failure(.disabled), []) }
      if let refusal = state.activeBudgetRefusal(at: now) { return (.failure(refusal), []) }
      let limit: LimitPermit
      switch state.limits.acquire(at: now, wallTime: wallTime) {
      case .failure(let reason): return (.failure(reason), [])
      case .success(let permit): limit = permit
      }
      let (decision, changes) = state.breaker.acquirePermission(at: now)
      guard let permit = decision.permit else {
        state.limits.release(limit)
        return (.failure(decision.skipReason ?? .circuitOpen(retryIn: nil)), changes)
      }
      return (.success(Admission(permit: permit, limit: limit, wallTime: wallTime)), changes)
    }
    if !changes.isEmpty { transitions(id, changes) }
    return result
  }

  /// Asks the cluster budget for one call after the local limits and the breaker admitted it:
  /// nil when it may go. A refusal is remembered until its retry time (a spent quota until the
  /// next UTC midnight), so the router skips the provider without asking again.
  private func spendClusterBudget() async -> ProviderSkip.Reason? {
    guard let budget else { return nil }
    let decision = await budget.budget.spend(id, limits: budget.limits)
    let now = clock.now()
    let wallTime = clock.wallTime(at: now)
    state.withLock { state in
      // A refusal without a retry time is not remembered: the next call asks again.
      switch decision.refusal {
      case .rateLimited(let retryIn?)?: state.budgetRefusal = (.rateLimited(retryIn: retryIn), now + retryIn)
      case .quotaExhausted?:
        let untilMidnight = DailyQuota.resetTime(after: wallTime).timeIntervalSince(wallTime)
        state.budgetRefusal = (.quotaExhausted, now + .nanoseconds(Int64(max(0, untilMidnight) * 1e9)))
      default: break
      }
    }
    return decision.refusal
  }

  /// Gives back an admission whose call never went out: what the local limits took, and the
  /// breaker permit as a cancellation (which counts for nothing and frees a half-open probe slot).
  private func withdraw(_ admission: Admission) {
    let now = clock.now()
    let changes = state.withLock { state in
      state.limits.withdraw(admission.limit, takenAt: admission.wallTime)
      return state.breaker.record(.cancelled, permit: admission.permit, duration: .zero, at: now)
    }
    if !changes.isEmpty { transitions(id, changes) }
  }

  /// Records how an admitted call ended in the breaker, the health tracker and the limits.
  func complete(_ admission: Admission, outcome: CallOutcome, duration: Duration) {
    let now = clock.now()
    let wallTime = clock.wallTime(at: now)
    let changes = state.withLock { state in
      state.limits.release(admission.limit)
      switch outcome {
      case .failure(let error): state.limits.record(error, at: now, wallTime: wallTime)
      case .success: state.limits.recordSuccess()
      case .cancelled: break
      }
      // "No such symbol" is the provider answering correctly: an agent's typo must not make
      // the provider look unhealthy. The breaker classifies it itself (ignored by default).
      state.health.record(Self.isAnswer(outcome) ? .success : outcome, duration: duration, at: now)
      return state.breaker.record(outcome, permit: admission.permit, duration: duration, at: now)
    }
    if !changes.isEmpty { transitions(id, changes) }
  }

  private static func isAnswer(_ outcome: CallOutcome) -> Bool {
    switch outcome {
    case .failure(.unknownSymbol), .failure(.unsupportedSymbol): true
    case .success, .failure, .cancelled: false
    }
  }

  // MARK: Routing inputs

  /// Why the router should not even plan to ask this provider now, without taking anything.
  func unavailability(at now: MarketInstant) -> ProviderSkip.Reason? {
    let wallTime = clock.wallTime(at: now)
    return state.withLock { state in
      guard state.isEnabled else { return .disabled }
      let breaker = state.breaker.status(at: now)
      switch breaker.state {
      case .forcedOpen: return .forcedOpen
      case .open:
        // Past its wait the next call is a probe: plan it.
        if let retryIn = breaker.nextProbeIn, retryIn > .zero { return .circuitOpen(retryIn: retryIn) }
      case .closed, .halfOpen, .disabled, .metricsOnly: break
      }
      if let refusal = state.activeBudgetRefusal(at: now) { return refusal }
      let limits = state.limits.status(at: now, wallTime: wallTime)
      if let backingOff = limits.backingOffFor { return .rateLimited(retryIn: backingOff) }
      if let quota = limits.dailyQuota, limits.quotaUsed >= quota { return .quotaExhausted }
      return nil
    }
  }

  /// The routing weight now: the configured weight, lowered for slowness and errors.
  func effectiveWeight(_ weights: AdaptiveWeights, at now: MarketInstant) -> Double {
    let health = state.withLock { $0.health.status(at: now) }
    return weights.effectiveWeight(base: weight, health: health)
  }

  /// The recent latency at `percentile` (0...100), for hedging delays.
  func latency(atPercentile percentile: Double, at now: MarketInstant) -> Duration? {
    state.withLock { $0.health.latency(atPercentile: percentile, at: now) }
  }

  /// How long a hedged quote that asked this provider waits before also asking `next`, or
  /// nil when this provider's recent calls are too few to say.
  func tunedHedgeDelay(before next: ProviderRuntime, extraRatio: Double, at now: MarketInstant) -> Duration? {
    let cached = hedgeTuning.withLock { tuning in
      tuning.delays[next.id].flatMap { tuning.isFresh($0.tunedAt, at: now) ? $0 : nil }
    }
    if let cached { return cached.delay }
    // Each estimate is read under its own provider's lock only, never both at once.
    let (primary, failoverRate) = latencyEstimate(at: now)
    let (hedge, _) = next.latencyEstimate(at: now)
    let delay = HedgeDelayTuner.delay(
      primary: primary, hedge: hedge,
      hedgeShare: HedgeDelayTuner.hedgeShare(extraRatio: extraRatio, failoverRate: failoverRate))
    hedgeTuning.withLock { $0.delays[next.id] = (delay, now) }
    if let delay {
      Gauge(label: MetricNames.hedgeDelay, dimensions: [("provider", id.name), ("hedge", next.id.name)])
        .record(delay.seconds)
    }
    return delay
  }

  /// This provider's latency survival and error rate, measured at most every refresh interval.
  private func latencyEstimate(at now: MarketInstant) -> (LatencySurvival, failoverRate: Double) {
    let cached = hedgeTuning.withLock { tuning in
      tuning.isFresh(tuning.measuredAt, at: now) ? (tuning.survival, tuning.failoverRate) : nil
    }
    if let cached { return cached }
    let (survival, errorRate) = state.withLock { state in
      (state.health.survival(at: now, minimumSamples: HedgeTuning.minimumSamples), state.health.errorRate(at: now))
    }
    hedgeTuning.withLock { tuning in
      tuning.survival = survival
      tuning.failoverRate = errorRate
      tuning.measuredAt = now
    }
    return (survival, errorRate)
  }

  // MARK: Time and operators

  /// Applies time-driven transitions (open → half-open, half-open timeout) and rotates the
  /// health window.
  func advance(to now: MarketInstant) {
    let changes = state.withLock { state in
      state.health.advance(to: now)
      return state.breaker.advance(to: now)
    }
    if !changes.isEmpty { transitions(id, changes) }
  }

  func trip() { operate { $0.breaker.trip(at: $1) } }

  func reset() { operate { $0.breaker.reset(at: $1) } }

  func setEnabled(_ enabled: Bool) {
    operate { state, now in
      state.isEnabled = enabled
      return enabled
        ? state.breaker.enable(at: now, note: "enabled by operator")
        : state.breaker.disable(at: now, note: "disabled by operator")
    }
  }

  private func operate(_ body: (inout State, MarketInstant) -> [BreakerTransition]) {
    let now = clock.now()
    let changes = state.withLock { body(&$0, now) }
    if !changes.isEmpty { transitions(id, changes) }
  }

  func status(at now: MarketInstant) -> ProviderStatus {
    let wallTime = clock.wallTime(at: now)
    return state.withLock { state in
      ProviderStatus(
        id: id, priority: priority, isSimulated: provider is SimulatedProvider, isEnabled: state.isEnabled,
        breaker: state.breaker.status(at: now), health: state.health.status(at: now),
        limits: state.limits.status(at: now, wallTime: wallTime), budget: budget?.budget.mode)
    }
  }
}

extension ProviderRuntime.State {
  /// The cluster budget's last refusal while it lasts, with the time left on a rate limit.
  func activeBudgetRefusal(at now: MarketInstant) -> ProviderSkip.Reason? {
    guard let refusal = budgetRefusal, refusal.until > now else { return nil }
    if case .rateLimited = refusal.reason { return .rateLimited(retryIn: refusal.until - now) }
    return refusal.reason
  }
}
