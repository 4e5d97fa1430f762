import MarketCore

/// At most one update notification per key per interval, sans I/O: the first update goes out
/// at once, updates inside the interval fold into one sent when it ends (so the client always
/// hears about the latest value), and nothing more until the next update.
struct UpdatePacer<Key: Hashable & Sendable>: Sendable {
  enum Decision: Equatable, Sendable {
    /// Notify now.
    case sendNow
    /// Notify at this instant (schedule it); later offers fold into it.
    case sendAt(MarketInstant)
    /// A notification is already scheduled; nothing to do.
    case folded
  }

  let interval: Duration
  private var lastSent: [Key: MarketInstant] = [:]
  private var scheduled: Set<Key> = []

  init(interval: Duration) { self.interval = interval }

  /// An update for `key` arrived at `now`.
  mutating func offer(_ key: Key, at now: MarketInstant) -> Decision {
    if scheduled.contains(key) { return .folded }
    if let last = lastSent[key], now - last < interval {
      scheduled.insert(key)
      return .sendAt(last + interval)
    }
    lastSent[key] = now
    return .sendNow
  }

  /// The scheduled notification for `key` is due; true when it should still go out.
  mutating func fire(_ key: Key, at now: MarketInstant) -> Bool {
    guard scheduled.remove(key) != nil else { return false }
    lastSent[key] = now
    return true
  }

  /// Drops everything about `key` (unsubscribed).
  mutating func forget(_ key: Key) {
    lastSent[key] = nil
    scheduled.remove(key)
  }
}
