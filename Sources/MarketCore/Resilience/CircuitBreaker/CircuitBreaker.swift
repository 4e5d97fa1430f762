/// A sans-I/O circuit breaker with the semantics of Resilience4j's
/// `CircuitBreakerStateMachine`: it never reads a clock, sleeps or schedules anything. The
/// caller asks it for permission, reports each call's outcome, and tells it the time; it
/// answers with decisions and the transitions that happened, which the caller publishes.
///
/// States and the only transitions between them:
///
/// | from | to | when |
/// |---|---|---|
/// | closed | open | the window's failure or slow-call rate reaches its threshold (after the minimum number of calls) |
/// | open | half-open | the wait is over (in ``advance(to:)`` when automatic, else on the next ``acquirePermission(at:)``) |
/// | half-open | closed | the probes' rates stay below both thresholds |
/// | half-open | open | the probes' rates reach a threshold, or they give no verdict within the maximum wait |
/// | any | forced-open, disabled, metrics-only, closed | an operator trips, disables, switches to metrics-only, resets or enables |
///
/// Half-open can only be entered from open: its payload is built from the open state's.
/// Each consecutive opening waits longer (``CircuitBreakerConfiguration/waitDuration(forOpening:)``)
/// until a close resets the count.
///
/// Not thread-safe by itself: it is a value. The owner keeps it behind a lock or in an actor.
public struct CircuitBreaker: Sendable {
  public let configuration: CircuitBreakerConfiguration
  private var phase: Phase
  /// Bumped on every state change and every reset; permits carry it.
  private var generation: UInt64 = 0
  private var nextPermitID: UInt64 = 0
  private var notPermittedCalls = 0
  /// The most recent transition, for status and the dashboard.
  public private(set) var lastTransition: BreakerTransition?

  public init(configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration()) {
    self.configuration = configuration.normalized
    self.phase = .closed(OutcomeWindow(self.configuration))
  }

  public var state: BreakerState { phase.state }

  /// When the breaker next changes state by time alone (the end of the open wait when the
  /// transition is automatic, the half-open deadline), so a driver knows when to call
  /// ``advance(to:)``.
  public var nextTimedTransition: MarketInstant? {
    switch phase {
    case .open(let open): configuration.automaticTransitionFromOpenToHalfOpen ? open.until : nil
    case .halfOpen(let halfOpen): halfOpen.deadline
    case .closed, .forcedOpen, .disabled, .metricsOnly: nil
    }
  }

  // MARK: Calls

  /// Asks to make one call now. An open breaker whose wait is over goes half-open first and
  /// lets this call through as a probe. Every rejection is counted.
  public mutating func acquirePermission(at now: MarketInstant) -> (BreakerDecision, [BreakerTransition]) {
    let transitions = applyTimedTransitions(at: now, acquiring: true)
    switch phase {
    case .closed, .disabled, .metricsOnly:
      return (.permitted(issuePermit()), transitions)
    case .open(let open):
      notPermittedCalls += 1
      return (.rejected(retryAfter: max(.zero, open.until - now), state: .open), transitions)
    case .halfOpen(var halfOpen):
      guard halfOpen.freeSlots > 0 else {
        notPermittedCalls += 1
        return (.rejected(retryAfter: nil, state: .halfOpen), transitions)
      }
      let permit = issuePermit()
      halfOpen.freeSlots -= 1
      halfOpen.outstanding.insert(permit.id)
      phase = .halfOpen(halfOpen)
      return (.permitted(permit), transitions)
    case .forcedOpen:
      notPermittedCalls += 1
      return (.rejected(retryAfter: nil, state: .forcedOpen), transitions)
    }
  }

  /// Reports how a permitted call ended. Record each permit exactly once; `duration` is the
  /// call's own latency (slow calls are those over the slow-call threshold).
  ///
  /// An outcome from an older generation than the current one is dropped: it belongs to a
  /// window that no longer exists. Ignored errors and cancellations count for nothing, and
  /// hand a half-open probe slot back.
  @discardableResult
  public mutating func record(
    _ outcome: CallOutcome, permit: CallPermit, duration: Duration, at now: MarketInstant
  ) -> [BreakerTransition] {
    var transitions = applyTimedTransitions(at: now, acquiring: false)
    guard permit.generation == generation else { return transitions }
    let verdict = configuration.failureClassification.verdict(for: outcome)
    let failed = verdict == .failure
    let slow = duration > configuration.slowCallDurationThreshold
    switch phase {
    case .closed(var window):
      guard verdict != .ignored else { break }
      let snapshot = window.record(failed: failed, slow: slow, at: now)
      if let rates = rates(of: snapshot, minimumCalls: window.minimumCalls), rates.exceeded {
        let open = Open(tripping: snapshot, minimumCalls: window.minimumCalls, at: now, configuration: configuration)
        transitions.append(move(to: .open(open), at: now, cause: .thresholdsExceeded(rates)))
      } else {
        phase = .closed(window)
      }
    case .metricsOnly(var window):
      guard verdict != .ignored else { break }
      _ = window.record(failed: failed, slow: slow, at: now)
      phase = .metricsOnly(window)
    case .halfOpen(var halfOpen):
      guard halfOpen.outstanding.remove(permit.id) != nil else { break }
      guard verdict != .ignored else {
        halfOpen.freeSlots += 1
        phase = .halfOpen(halfOpen)
        break
      }
      let snapshot = halfOpen.window.record(failed: failed, slow: slow, at: now)
      guard let rates = rates(of: snapshot, minimumCalls: halfOpen.window.minimumCalls) else {
        phase = .halfOpen(halfOpen)
        break
      }
      if rates.exceeded {
        let open = Open(reopening: halfOpen, at: now, configuration: configuration)
        transitions.append(move(to: .open(open), at: now, cause: .probesFailed(rates)))
      } else {
        transitions.append(move(to: .closed(OutcomeWindow(configuration)), at: now, cause: .probesPassed(rates)))
      }
    case .open, .forcedOpen, .disabled:
      // Open and forced-open issue no permits; disabled records nothing.
      break
    }
    return transitions
  }

  /// Applies the transitions time alone causes: open → half-open once the wait is over (when
  /// automatic), half-open → open once the maximum wait in half-open is over.
  @discardableResult
  public mutating func advance(to now: MarketInstant) -> [BreakerTransition] {
    applyTimedTransitions(at: now, acquiring: false)
  }

  // MARK: Operator actions

  /// Forces the breaker open: everything is rejected and no outcome counts until a reset.
  @discardableResult
  public mutating func trip(at now: MarketInstant, note: String? = nil) -> [BreakerTransition] {
    guard state != .forcedOpen else { return [] }
    return [move(to: .forcedOpen, at: now, cause: .operator(.trip, note: note))]
  }

  /// Closes the breaker with an empty window, from any state. Outcomes of calls still in
  /// flight will not count.
  @discardableResult
  public mutating func reset(at now: MarketInstant, note: String? = nil) -> [BreakerTransition] {
    let fresh = Phase.closed(OutcomeWindow(configuration))
    guard state != .closed else {
      phase = fresh
      generation &+= 1
      notPermittedCalls = 0
      return []
    }
    return [move(to: fresh, at: now, cause: .operator(.reset, note: note))]
  }

  /// Lets every call through and records nothing, until enabled or reset.
  @discardableResult
  public mutating func disable(at now: MarketInstant, note: String? = nil) -> [BreakerTransition] {
    guard state != .disabled else { return [] }
    return [move(to: .disabled, at: now, cause: .operator(.disable, note: note))]
  }

  /// Puts a disabled or metrics-only breaker back to closed with an empty window; does
  /// nothing in any other state (use ``reset(at:note:)`` to close a tripped breaker).
  @discardableResult
  public mutating func enable(at now: MarketInstant, note: String? = nil) -> [BreakerTransition] {
    guard state == .disabled || state == .metricsOnly else { return [] }
    return [move(to: .closed(OutcomeWindow(configuration)), at: now, cause: .operator(.enable, note: note))]
  }

  /// Records outcomes and computes rates as if closed, but always allows and never opens.
  @discardableResult
  public mutating func switchToMetricsOnly(at now: MarketInstant, note: String? = nil) -> [BreakerTransition] {
    guard state != .metricsOnly else { return [] }
    return [move(to: .metricsOnly(OutcomeWindow(configuration)), at: now, cause: .operator(.metricsOnly, note: note))]
  }

  // MARK: Status

  /// What the dashboard and `GET /v1/providers` show. Rates are nil until the window holds
  /// the minimum number of calls; an open breaker shows the rates that opened it.
  public func status(at now: MarketInstant) -> BreakerStatus {
    var status = BreakerStatus()
    status.state = state
    status.failureRateThreshold = configuration.failureRateThreshold
    status.slowCallRateThreshold = configuration.slowCallRateThreshold
    status.notPermittedCalls = notPermittedCalls
    status.lastTransitionReason = lastTransition?.reason
    let snapshot: OutcomeWindow.Snapshot?
    let minimumCalls: Int
    switch phase {
    case .closed(let window), .metricsOnly(let window):
      snapshot = window.snapshot(at: now)
      minimumCalls = window.minimumCalls
    case .open(let open):
      snapshot = open.snapshot
      minimumCalls = open.minimumCalls
      status.nextProbeIn = max(.zero, open.until - now)
      status.consecutiveOpenings = open.opening
    case .halfOpen(let halfOpen):
      snapshot = halfOpen.window.snapshot(at: now)
      minimumCalls = halfOpen.window.minimumCalls
      status.consecutiveOpenings = halfOpen.opening
    case .forcedOpen, .disabled:
      snapshot = nil
      minimumCalls = 1
    }
    if let snapshot {
      status.bufferedCalls = snapshot.calls
      status.failedCalls = snapshot.failedCalls
      status.slowCalls = snapshot.slowCalls
      status.failureRate = snapshot.failureRate(minimumCalls: minimumCalls)
      status.slowCallRate = snapshot.slowCallRate(minimumCalls: minimumCalls)
    }
    return status
  }

  // MARK: Internals

  private mutating func issuePermit() -> CallPermit {
    defer { nextPermitID &+= 1 }
    return CallPermit(generation: generation, id: nextPermitID, state: state)
  }

  private func rates(of snapshot: OutcomeWindow.Snapshot, minimumCalls: Int) -> BreakerTransition.Rates? {
    guard let failureRate = snapshot.failureRate(minimumCalls: minimumCalls),
      let slowCallRate = snapshot.slowCallRate(minimumCalls: minimumCalls)
    else { return nil }
    return BreakerTransition.Rates(
      failureRate: failureRate, slowCallRate: slowCallRate, calls: snapshot.calls,
      failureRateThreshold: configuration.failureRateThreshold,
      slowCallRateThreshold: configuration.slowCallRateThreshold)
  }

  private mutating func applyTimedTransitions(at now: MarketInstant, acquiring: Bool) -> [BreakerTransition] {
    switch phase {
    case .open(let open)
    where now >= open.until && (acquiring || configuration.automaticTransitionFromOpenToHalfOpen):
      let halfOpen = HalfOpen(after: open, at: now, configuration: configuration)
      return [move(to: .halfOpen(halfOpen), at: now, cause: .waitElapsed(open.wait))]
    case .halfOpen(let halfOpen):
      guard let deadline = halfOpen.deadline, now >= deadline, let wait = configuration.maximumWaitInHalfOpen else {
        return []
      }
      let open = Open(reopening: halfOpen, at: now, configuration: configuration)
      return [move(to: .open(open), at: now, cause: .halfOpenTimedOut(wait))]
    case .closed, .open, .forcedOpen, .disabled, .metricsOnly:
      return []
    }
  }

  /// The one place the state changes. Starts a new generation so outcomes of calls let
  /// through before the change never count after it.
  private mutating func move(to next: Phase, at now: MarketInstant, cause: BreakerTransition.Cause) -> BreakerTransition {
    let transition = BreakerTransition(from: state, to: next.state, at: now, cause: cause)
    assert(state.canTransition(to: next.state), "illegal breaker transition \(state) → \(next.state)")
    if next.state != .halfOpen { notPermittedCalls = 0 }
    phase = next
    generation &+= 1
    lastTransition = transition
    return transition
  }
}

extension CircuitBreaker {
  private enum Phase: Sendable {
    case closed(OutcomeWindow)
    case open(Open)
    case halfOpen(HalfOpen)
    case forcedOpen
    case disabled
    case metricsOnly(OutcomeWindow)

    var state: BreakerState {
      switch self {
      case .closed: .closed
      case .open: .open
      case .halfOpen: .halfOpen
      case .forcedOpen: .forcedOpen
      case .disabled: .disabled
      case .metricsOnly: .metricsOnly
      }
    }
  }

  /// An open breaker: rejects until `until`.
  private struct Open: Sendable {
    /// Consecutive openings without a close in between; 1 for the first.
    let opening: Int
    let wait: Duration
    let until: MarketInstant
    /// The totals that opened the breaker, frozen for status.
    let snapshot: OutcomeWindow.Snapshot
    let minimumCalls: Int

    /// Closed → open.
    init(
      tripping snapshot: OutcomeWindow.Snapshot, minimumCalls: Int, at now: MarketInstant,
      configuration: CircuitBreakerConfiguration
    ) {
      self.init(opening: 1, snapshot: snapshot, minimumCalls: minimumCalls, at: now, configuration: configuration)
    }

    /// Half-open → open: one more consecutive opening, so a longer wait.
    init(reopening halfOpen: HalfOpen, at now: MarketInstant, configuration: CircuitBreakerConfiguration) {
      self.init(
        opening: halfOpen.opening + 1, snapshot: halfOpen.window.snapshot(at: now),
        minimumCalls: halfOpen.window.minimumCalls, at: now, configuration: configuration)
    }

    private init(
      opening: Int, snapshot: OutcomeWindow.Snapshot, minimumCalls: Int, at now: MarketInstant,
      configuration: CircuitBreakerConfiguration
    ) {
      self.opening = opening
      self.wait = configuration.waitDuration(forOpening: opening)
      self.until = now + wait
      self.snapshot = snapshot
      self.minimumCalls = minimumCalls
    }
  }

  /// A half-open breaker: lets a few probes through and judges them.
  private struct HalfOpen: Sendable {
    let opening: Int
    /// Count-based over the probes; a verdict once `min(minimumNumberOfCalls, probes)` report.
    var window: OutcomeWindow
    var freeSlots: Int
    /// Probe permits handed out and not yet reported.
    var outstanding: Set<UInt64> = []
    let deadline: MarketInstant?

    /// Open → half-open, the only way in.
    init(after open: Open, at now: MarketInstant, configuration: CircuitBreakerConfiguration) {
      self.opening = open.opening
      self.window = OutcomeWindow(
        lastCalls: configuration.permittedCallsInHalfOpen, minimumCalls: configuration.minimumNumberOfCalls)
      self.freeSlots = configuration.permittedCallsInHalfOpen
      self.deadline = configuration.maximumWaitInHalfOpen.map { now + $0 }
    }
  }
}

extension BreakerState {
  /// Whether a breaker may go from this state to `next`. Half-open is reachable only from
  /// open, open only from closed or half-open; operators reach the rest from anywhere.
  public func canTransition(to next: BreakerState) -> Bool {
    guard next != self else { return false }
    switch next {
    case .halfOpen: return self == .open
    case .open: return self == .closed || self == .halfOpen
    case .closed, .forcedOpen, .disabled, .metricsOnly: return true
    }
  }
}
