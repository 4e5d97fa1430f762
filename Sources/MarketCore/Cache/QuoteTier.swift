/// A cache tier below L1: shared with other instances (Redis) or kept across restarts on this
/// machine (SQLite). The core asks the tiers in order on an L1 miss, before any provider, and
/// hands every fresh provider value to each of them.
///
/// A tier never makes a read fail: one that is down, slow or holds garbage answers with what
/// it could read in its own timeout (possibly nothing), and the core goes on to the
/// providers. Writes are behind the caller: `store` queues and returns.
public protocol QuoteTier: Sendable {
  /// Short name for the cache pane, `/v1/cache` and metric labels: `redis`, `sqlite`.
  var name: String { get }
  /// Whether other instances read and write this tier too (Redis); see the default below.
  var isShared: Bool { get }
  /// The values held for these symbols, whatever their age: the core judges freshness from
  /// each quote's `receivedAt`. Symbols with nothing held (or unreadable entries) are absent.
  func load(_ symbols: [Symbol]) async -> [Symbol: Quote]
  /// Queues fresh values to keep; returns at once.
  func store(_ quotes: [Quote])
  /// Drops what the scope names (the core has already dropped it from L1).
  func invalidate(_ scope: InvalidationScope)
  /// Entries, hits, misses and, when the tier is unusable, why.
  var statistics: CacheStatistics { get }
}

extension QuoteTier {
  /// Whether other instances read and write this tier too. An invalidation another instance
  /// announced is not applied to a shared tier again: that instance already did.
  public var isShared: Bool { false }
}
