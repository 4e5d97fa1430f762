/// Operator controls over providers: what the dashboard's `t`/`r`/`d` keys and the control
/// API's `POST /v1/providers/{id}/...` routes call. Each action is announced as an event.
extension MarketDataCore {
  /// Forces a provider's breaker open: no calls until reset.
  public func tripProvider(_ id: ProviderID) throws(OperatorError) {
    try serially { () throws(OperatorError) in try perform(.trip(id), origin: .local) }
  }

  /// Closes a provider's breaker and clears its window.
  public func resetProvider(_ id: ProviderID) throws(OperatorError) {
    try serially { () throws(OperatorError) in try perform(.reset(id), origin: .local) }
  }

  /// Disables (never asked) or re-enables a provider.
  public func setProviderEnabled(_ id: ProviderID, _ enabled: Bool) throws(OperatorError) {
    try serially { () throws(OperatorError) in try perform(.setEnabled(id, enabled), origin: .local) }
  }

  /// Applies an action another instance took, announcing it as theirs and never passing it
  /// on (so two instances cannot echo an action back and forth).
  public func apply(_ action: OperatorAction, fromInstance instance: String) throws(OperatorError) {
    try serially { () throws(OperatorError) in try perform(action, origin: .instance(instance)) }
  }

  /// Runs one change of operator state at a time, so a versioned value from elsewhere is
  /// compared with the ledger and applied either before or after a local action, never between
  /// the action's effect and the recording of its version. The body must not call back into
  /// another operator action (the lock is not reentrant); listeners only queue.
  func serially<Result: Sendable, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
    try operatorSerial.withLock { (_: inout Void) throws(Failure) -> Result in try body() }
  }

  func perform(_ action: OperatorAction, origin: ActionOrigin) throws(OperatorError) {
    switch action {
    case .trip(let id): try operate(id, verb: "tripped", action, origin) { $0.trip() }
    case .reset(let id): try operate(id, verb: "reset", action, origin) { $0.reset() }
    case .setEnabled(let id, let enabled):
      try operate(id, verb: enabled ? "enabled" : "disabled", action, origin) { $0.setEnabled(enabled) }
    case .setWatchlist(let immortal, let list):
      replaceWatchlist(immortal, with: list, origin: origin)
      // The list itself is announced as a watchlist change; a reconciled one also says whose.
      if case .stored = origin { context.publish(.operatorAction(origin.eventText(action.summary))) }
    case .invalidate(let scope):
      invalidate(scope, origin: origin)
    }
  }

  private func operate(
    _ id: ProviderID, verb: String, _ action: OperatorAction, _ origin: ActionOrigin, _ body: (ProviderRuntime) -> Void
  ) throws(OperatorError) {
    guard let runtime = context.router.runtime(for: id) else { throw OperatorError.unknownProvider(id) }
    context.publish(.operatorAction(origin.eventText("provider \(id) \(verb)")))
    body(runtime)
    announce(action, origin)
  }

  /// Applies what time alone changes: open breakers past their wait move to half-open,
  /// health windows rotate. The refresh loop calls this on every pass.
  public func advanceTime() {
    let now = context.clock.now()
    for runtime in context.router.runtimes { runtime.advance(to: now) }
  }

  /// Called after every operator action taken in this process (not those applied from other
  /// instances): how a cluster bus hears what to tell the others.
  public func onOperatorAction(_ hook: @escaping @Sendable (OperatorAction) -> Void) {
    onVersionedOperatorAction { action, _ in hook(action) }
  }

  /// As ``onOperatorAction(_:)``, with the version the action was given: nil for
  /// invalidations, which set no state (see ``OperatorLedger``).
  public func onVersionedOperatorAction(_ hook: @escaping @Sendable (OperatorAction, HybridTimestamp?) -> Void) {
    operatorHooks.withLock { $0.append(hook) }
  }

  func announce(_ action: OperatorAction, _ origin: ActionOrigin) {
    guard origin == .local else { return }
    let now = context.clock.wallNow()
    let version = operatorLedger.withLock { $0.recordLocal(action, now: now) }
    for hook in operatorHooks.withLock({ $0 }) { hook(action, version) }
  }
}

public enum OperatorError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownProvider(ProviderID)
  /// A watchlist edit applied from another instance that does not fit this one's list.
  case watchlist(WatchlistError)

  public var description: String {
    switch self {
    case .unknownProvider(let id): "no provider named \(ProviderError.sanitizedExcerpt(id.name, limit: 40))"
    case .watchlist(let error): error.description
    }
  }
}
