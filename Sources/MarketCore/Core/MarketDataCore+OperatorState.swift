/// Operator state as state: every trip, reset, enable, disable and watchlist edit carries a
/// version (``HybridTimestamp``), so instances that share a store (Redis) and a channel agree
/// on the newest value of each subject whatever order they hear of them in, and an action
/// taken while the store was away is kept here, pending, until a store takes it.
extension MarketDataCore {
  /// Applies another instance's action unless this instance already holds a newer (or the
  /// same) version of that state; returns whether it applied it. Without a version (a message
  /// from an instance that sends none) the action is applied as it always was.
  @discardableResult
  public func apply(_ action: OperatorAction, fromInstance instance: String, version: HybridTimestamp?)
    throws(OperatorError) -> Bool
  {
    let origin = ActionOrigin.instance(instance)
    return try serially { () throws(OperatorError) -> Bool in
      if let version, !admit(action, version: version, origin: origin) { return false }
      try perform(action, origin: origin)
      return true
    }
  }

  /// Applies operator state read from a shared store (`source`, such as "Redis") when it is
  /// newer than what this instance holds, announced as reconciled; returns whether it applied
  /// it. Never passed on to the listeners.
  @discardableResult
  public func reconcile(_ action: OperatorAction, version: HybridTimestamp, from source: String) throws(OperatorError)
    -> Bool
  {
    let origin = ActionOrigin.stored(instance: version.instance, source: source)
    return try serially { () throws(OperatorError) -> Bool in
      guard admit(action, version: version, origin: origin) else { return false }
      try perform(action, origin: origin)
      return true
    }
  }

  /// The operator state this instance holds, with versions: what a store compares with its own.
  public var operatorState: [OperatorSubject: OperatorLedger.Entry] {
    operatorLedger.withLock { $0.entries }
  }

  /// A store now holds `version` of `subject`: a local action of that version is pending no more.
  public func operatorStateStored(_ subject: OperatorSubject, version: HybridTimestamp) {
    operatorLedger.withLock { $0.stored(subject, version: version) }
  }

  /// Whether a versioned value is newer than the one held (and records it if so). A pending
  /// local action it replaces is a conflict, announced with both versions.
  private func admit(_ action: OperatorAction, version: HybridTimestamp, origin: ActionOrigin) -> Bool {
    let now = context.clock.wallNow()
    switch operatorLedger.withLock({ $0.admit(action, version: version, now: now) }) {
    case nil: return true
    case .stale: return false
    case .newer(let lost?):
      context.publish(
        .operatorAction(
          "conflict: \(lost.action.summary) here (\(lost.version)) lost to \(action.summary) by \(version.instance)"
            + " (\(version)); kept the newer \(action.summary)"))
      return true
    case .newer(nil): return true
    }
  }
}
