import Foundation

/// One piece of operator state: what a trip or reset, an enable or disable, or a watchlist
/// edit sets, and what a later one of the same subject replaces. Invalidations have none:
/// they are one-shot commands, not state.
public enum OperatorSubject: Hashable, Sendable, CustomStringConvertible {
  /// A provider's forced breaker state (tripped or reset).
  case breaker(ProviderID)
  case enabled(ProviderID)
  case watchlist(ImmortalID)

  /// The subject's name in a shared store: `provider:<id>:breaker`, `provider:<id>:enabled`,
  /// `watchlist:<immortal>`.
  public var field: String {
    switch self {
    case .breaker(let id): "provider:\(id.name):breaker"
    case .enabled(let id): "provider:\(id.name):enabled"
    case .watchlist(let immortal): "watchlist:\(immortal.rawValue)"
    }
  }

  /// The subject a store's field names, or nil for a field this version does not know.
  public init?(field: String) {
    if field.hasPrefix("watchlist:") {
      guard let immortal = ImmortalID(rawValue: String(field.dropFirst("watchlist:".count))) else { return nil }
      self = .watchlist(immortal)
      return
    }
    guard field.hasPrefix("provider:"), field.utf8.count <= 100 else { return nil }
    let rest = field.dropFirst("provider:".count)
    for (suffix, make) in [(":breaker", Self.breaker), (":enabled", Self.enabled)] where rest.hasSuffix(suffix) {
      let name = rest.dropLast(suffix.count)
      guard !name.isEmpty else { return nil }
      self = make(ProviderID(String(name)))
      return
    }
    return nil
  }

  public var description: String { field }
}

extension OperatorAction {
  /// The state this action sets; nil for invalidations, which are one-shot and never stored.
  public var subject: OperatorSubject? {
    switch self {
    case .trip(let id), .reset(let id): .breaker(id)
    case .setEnabled(let id, _): .enabled(id)
    case .setWatchlist(let immortal, _): .watchlist(immortal)
    case .invalidate: nil
    }
  }

  /// A few words for events: `provider openbb tripped`, `lu-dongbin watchlist (6 symbols)`.
  public var summary: String {
    switch self {
    case .trip(let id): "provider \(id) tripped"
    case .reset(let id): "provider \(id) reset"
    case .setEnabled(let id, let enabled): "provider \(id) \(enabled ? "enabled" : "disabled")"
    case .setWatchlist(let immortal, let list): "\(immortal.rawValue) watchlist (\(list.entries.count) symbols)"
    case .invalidate(let scope): "cache invalidated (\(scope))"
    }
  }
}

/// What one instance knows of the operator state: per subject the last value and its
/// version, and whether it was taken here and is not yet known to be stored (an action taken
/// while the shared store was away). Sans-I/O: the core records into it, a store reads it.
///
/// Last writer wins by version (``HybridTimestamp``): a value is replaced only by a newer one,
/// wherever either came from.
public struct OperatorLedger: Sendable {
  public struct Entry: Hashable, Sendable {
    public var action: OperatorAction
    public var version: HybridTimestamp
    /// Taken here and not yet known to be in the shared store.
    public var isPending: Bool

    public init(action: OperatorAction, version: HybridTimestamp, isPending: Bool) {
      self.action = action
      self.version = version
      self.isPending = isPending
    }
  }

  /// What to do with a versioned value from elsewhere.
  public enum Admission: Hashable, Sendable {
    /// Newer than what this instance holds: apply it. `lostPending` is this instance's own
    /// action that it replaces before the store ever held it (a conflict), if any.
    case newer(lostPending: Entry?)
    /// Not newer than what this instance holds: ignore it.
    case stale(current: Entry)
  }

  /// The last reading of this instance's clock.
  public private(set) var clock: HybridTimestamp
  public private(set) var entries: [OperatorSubject: Entry] = [:]

  public init(instance: String) {
    clock = .start(instance: instance)
  }

  /// A local action: its version, and the entry kept pending until a store holds it. Nil for
  /// actions that set no state (invalidations).
  public mutating func recordLocal(_ action: OperatorAction, now: Date) -> HybridTimestamp? {
    guard let subject = action.subject else { return nil }
    clock = clock.tick(now: now)
    entries[subject] = Entry(action: action, version: clock, isPending: true)
    return clock
  }

  /// A value from another instance or the store, recorded when newer than the one held. Nil
  /// for actions that set no state.
  public mutating func admit(_ action: OperatorAction, version: HybridTimestamp, now: Date) -> Admission? {
    guard let subject = action.subject else { return nil }
    clock = clock.receive(version, now: now)
    let current = entries[subject]
    if let current, current.version >= version { return .stale(current: current) }
    entries[subject] = Entry(action: action, version: version, isPending: false)
    return .newer(lostPending: current.flatMap { $0.isPending ? $0 : nil })
  }

  /// The store now holds `version` of `subject`: an entry of that version is pending no more.
  public mutating func stored(_ subject: OperatorSubject, version: HybridTimestamp) {
    guard entries[subject]?.version == version else { return }
    entries[subject]?.isPending = false
  }
}
