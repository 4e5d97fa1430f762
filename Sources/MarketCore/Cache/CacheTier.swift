/// A cache tier below L1: shared with other instances (Redis) or kept across restarts on this
/// machine (SQLite). On a memory miss the core asks the tiers in order before any provider,
/// and hands every fresh provider value to each of them.
///
/// A tier never makes a read fail: one that is down, slow or holds garbage answers with what
/// it could read in its own timeout (possibly nothing), and the core goes on to the
/// providers. Writes are behind the caller. Which data classes a tier keeps is the protocols
/// it adopts (``QuoteTier``, one per class); each data class finds its own through
/// ``DataClassDefinition/port(on:)``.
public protocol CacheTier: Sendable {
  /// Short name for the cache pane, `/v1/cache` and metric labels: `redis`, `sqlite`.
  var name: String { get }
  /// Whether other instances read and write this tier too (Redis). An invalidation another
  /// instance announced is not applied to a shared tier again: that instance already did.
  var isShared: Bool { get }
  /// Drops what the scope names, in every data class the tier keeps (the core has already
  /// dropped it from memory). Scopes match keys exactly, as ``InvalidationScope/matches(_:)``.
  func invalidate(_ scope: InvalidationScope)
  /// Entries, hits, misses and, when the tier is unusable, why.
  var statistics: CacheStatistics { get }
  /// Returns once every write queued so far has reached the store (or failed): what a fleet's
  /// lease holder awaits before it releases, so the waiters find its value.
  func flush() async
}

extension CacheTier {
  public var isShared: Bool { false }
  public func flush() async {}
}

/// A tier that keeps quotes.
public protocol QuoteTier: CacheTier {
  /// The values held for these symbols, whatever their age: the core judges freshness from
  /// each quote's `receivedAt`. Symbols with nothing held (or unreadable entries) are absent.
  func load(_ symbols: [Symbol]) async -> [Symbol: Quote]
  /// Queues fresh values to keep; returns at once.
  func store(_ quotes: [Quote])
}

/// One tier as one data class uses it: how to read and write that class's values there.
public struct TierPort<Request: Hashable & Sendable, Value: Sendable>: Sendable {
  public var tier: any CacheTier
  public var load: @Sendable ([Request]) async -> [Request: Value]
  public var store: @Sendable ([Value]) -> Void

  public init(
    tier: any CacheTier, load: @escaping @Sendable ([Request]) async -> [Request: Value],
    store: @escaping @Sendable ([Value]) -> Void
  ) {
    self.tier = tier
    self.load = load
    self.store = store
  }
}

/// A tier that keeps blocks of history bars.
public protocol HistoryTier: CacheTier {
  /// The blocks held, whatever their age (the core judges freshness from `receivedAt`).
  func load(_ blocks: [HistoryBlock]) async -> [HistoryBlock: BarBlock]
  /// Queues blocks to keep; returns at once.
  func store(_ blocks: [BarBlock])
}

/// A tier that keeps company profiles.
public protocol ProfileTier: CacheTier {
  func loadProfiles(_ symbols: [Symbol]) async -> [Symbol: Profile]
  func storeProfiles(_ profiles: [Profile])
}
