/// Operator controls over providers: what the dashboard's `t`/`r`/`d` keys and the control
/// API's `POST /v1/providers/{id}/...` routes call. Each action is announced as an event.
extension DataAbstractionLayer {
  /// Every provider's status, in routing order.
  public func providerStatuses() -> [ProviderStatus] {
    let now = clock.now()
    return router.runtimes.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }.map { $0.status(at: now) }
  }

  /// Forces a provider's breaker open: no calls until reset.
  public func tripProvider(_ id: ProviderID) throws(OperatorError) {
    try operate(id, verb: "tripped") { $0.trip() }
  }

  /// Closes a provider's breaker and clears its window.
  public func resetProvider(_ id: ProviderID) throws(OperatorError) {
    try operate(id, verb: "reset") { $0.reset() }
  }

  /// Disables (never asked) or re-enables a provider.
  public func setProviderEnabled(_ id: ProviderID, _ enabled: Bool) throws(OperatorError) {
    try operate(id, verb: enabled ? "enabled" : "disabled") { $0.setEnabled(enabled) }
  }

  private func operate(
    _ id: ProviderID, verb: String, _ body: (ProviderRuntime) -> Void
  ) throws(OperatorError) {
    guard let runtime = router.runtime(for: id) else { throw OperatorError.unknownProvider(id) }
    events.publish(MarketEvent(time: clock.wallNow(), kind: .operatorAction("provider \(id) \(verb) by operator")))
    body(runtime)
  }

  /// Applies what time alone changes: open breakers past their wait move to half-open,
  /// health windows rotate. The refresh loop calls this on every pass.
  public func advanceTime() {
    let now = clock.now()
    for runtime in router.runtimes { runtime.advance(to: now) }
  }
}

public enum OperatorError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownProvider(ProviderID)

  public var description: String {
    switch self {
    case .unknownProvider(let id): "no provider named \(ProviderError.sanitizedExcerpt(id.name, limit: 40))"
    }
  }
}
