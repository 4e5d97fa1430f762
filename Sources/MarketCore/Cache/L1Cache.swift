import Synchronization

/// The in-process cache in front of everything: LRU per shard, TTL per data class,
/// refresh-ahead and stale-while-revalidate decisions, bounded by entries and bytes.
///
/// Sharded behind plain locks so a warm read is a hash, a lock and a compare: no task hop,
/// no allocation. Counters live inside the shards and are summed when read.
public final class L1Cache<Value: Sendable>: Sendable {
  /// What a read found, and whether the reader should start a background refresh.
  public enum Lookup {
    /// Within its TTL and before the refresh point.
    case fresh(Value, storedAt: MarketInstant)
    /// Still within its TTL but past the refresh point: serve it and refresh in the background.
    case refreshDue(Value, storedAt: MarketInstant, startRefresh: Bool)
    /// Past its TTL but within the staleness limit: serve it marked stale and refresh.
    case stale(Value, storedAt: MarketInstant, startRefresh: Bool)
    case miss
  }

  struct Entry {
    var value: Value
    var storedAt: MarketInstant
    var refreshAt: MarketInstant
    var expiresAt: MarketInstant
    var staleUntil: MarketInstant
    var refreshInFlight = false
  }

  struct Counters {
    var hits = 0
    var misses = 0
    var staleServes = 0
    var evictions = 0
    var expirations = 0
    var insertions = 0
  }

  final class Shard: Sendable {
    struct State: ~Copyable {
      var lru: LRUCache<CacheKey, Entry>
      var counters = Counters()
    }
    let state: Mutex<State>
    init(maximumEntries: Int, maximumBytes: Int) {
      state = Mutex(State(lru: LRUCache(maximumEntries: maximumEntries, maximumBytes: maximumBytes)))
    }
  }

  public let maximumEntries: Int
  public let maximumBytes: Int
  private let shards: [Shard]
  private let shardMask: Int

  /// - Parameter shards: rounded up to a power of two; each holds an equal share of both
  ///   bounds. Every key of one symbol lives in one shard.
  public init(maximumEntries: Int = 50_000, maximumBytes: Int = 64 << 20, shards: Int = 16) {
    var shardCount = 1
    while shardCount < max(1, shards) { shardCount <<= 1 }
    self.maximumEntries = maximumEntries
    self.maximumBytes = maximumBytes
    self.shardMask = shardCount - 1
    let perShardEntries = max(1, maximumEntries / shardCount)
    let perShardBytes = max(1, maximumBytes / shardCount)
    self.shards = (0..<shardCount).map { _ in Shard(maximumEntries: perShardEntries, maximumBytes: perShardBytes) }
  }

  @inline(__always)
  private func shard(for symbol: Symbol) -> Shard {
    shards[symbol.shardHash & shardMask]
  }

  /// Reads a key at `now`, deciding freshness. A stale or refresh-due read claims the
  /// entry's refresh (`startRefresh` is true for exactly one reader until the refresh ends).
  public func lookup(_ key: CacheKey, now: MarketInstant) -> Lookup {
    shard(for: key.symbol).state.withLock { state in
      guard let entry = state.lru.value(forKey: key) else {
        state.counters.misses += 1
        return .miss
      }
      if now < entry.refreshAt {
        state.counters.hits += 1
        return .fresh(entry.value, storedAt: entry.storedAt)
      }
      if now >= entry.staleUntil {
        state.lru.removeValue(forKey: key)
        state.counters.expirations += 1
        state.counters.misses += 1
        return .miss
      }
      let claim = !entry.refreshInFlight
      if claim { state.lru.modify(key) { $0.refreshInFlight = true } }
      if now < entry.expiresAt {
        state.counters.hits += 1
        return .refreshDue(entry.value, storedAt: entry.storedAt, startRefresh: claim)
      }
      state.counters.hits += 1
      state.counters.staleServes += 1
      return .stale(entry.value, storedAt: entry.storedAt, startRefresh: claim)
    }
  }

  /// The value regardless of age, without counting a hit or touching recency.
  public func peek(_ key: CacheKey) -> (value: Value, storedAt: MarketInstant)? {
    shard(for: key.symbol).state.withLock { state in
      state.lru.peek(key).map { ($0.value, $0.storedAt) }
    }
  }

  /// Stores a value as fresh from `storedAt` under `policy`; returns the keys evicted to make
  /// room.
  @discardableResult
  public func store(
    _ value: Value, for key: CacheKey, byteCount: Int, storedAt: MarketInstant, policy: CachePolicy
  ) -> [CacheKey] {
    let entry = Entry(
      value: value, storedAt: storedAt, refreshAt: storedAt + policy.refreshAge,
      expiresAt: storedAt + policy.timeToLive, staleUntil: storedAt + policy.servableAge)
    return shard(for: key.symbol).state.withLock { state in
      let evicted = state.lru.setValue(entry, forKey: key, byteCount: byteCount)
      state.counters.insertions += 1
      state.counters.evictions += evicted.count
      return evicted.map(\.key)
    }
  }

  /// Gives up a claimed refresh (it failed) so a later read may try again.
  public func releaseRefreshClaim(_ key: CacheKey) {
    shard(for: key.symbol).state.withLock { state in
      _ = state.lru.modify(key) { $0.refreshInFlight = false }
    }
  }

  /// Removes every key the scope matches; returns how many went.
  @discardableResult
  public func removeAll(matching scope: InvalidationScope) -> Int {
    if let symbol = scope.onlySymbol {
      return shard(for: symbol).state.withLock { $0.lru.removeAll(where: scope.matches) }
    }
    return shards.reduce(0) { total, shard in
      total + shard.state.withLock { $0.lru.removeAll(where: scope.matches) }
    }
  }

  public var statistics: CacheStatistics {
    var statistics = CacheStatistics(tier: "memory", maximumEntries: maximumEntries, maximumBytes: maximumBytes)
    for shard in shards {
      shard.state.withLock { state in
        statistics.entries += state.lru.count
        statistics.bytes += state.lru.byteCount
        statistics.hits += state.counters.hits
        statistics.misses += state.counters.misses
        statistics.staleServes += state.counters.staleServes
        statistics.evictions += state.counters.evictions
        statistics.expirations += state.counters.expirations
        statistics.insertions += state.counters.insertions
      }
    }
    return statistics
  }
}

/// Counters of one cache tier, as the dashboard and `/metrics` show them.
public struct CacheStatistics: Hashable, Sendable, Codable {
  public var tier: String
  public var entries = 0
  public var bytes = 0
  public var maximumEntries = 0
  public var maximumBytes = 0
  public var hits = 0
  public var misses = 0
  public var staleServes = 0
  public var evictions = 0
  public var expirations = 0
  public var insertions = 0
  public var refreshesInFlight = 0
  /// Why the tier cannot be used right now (Redis unreachable, a database that will not
  /// open); nil while it works. L1 is always usable.
  public var unavailable: String?

  public init(tier: String, maximumEntries: Int = 0, maximumBytes: Int = 0) {
    self.tier = tier
    self.maximumEntries = maximumEntries
    self.maximumBytes = maximumBytes
  }

  /// Hits over reads; nil before the first read.
  public var hitRatio: Double? {
    let reads = hits + misses
    return reads == 0 ? nil : Double(hits) / Double(reads)
  }
}

/// A value in the memory cache every data class shares: boxed once when stored, so a hit
/// copies one reference and checks its class (a pointer compare), whatever the class of data.
/// Immutable, so sharing it between threads is safe; `@unchecked` only because Swift cannot
/// see that an empty, never-subclassed-with-state base class is.
public class StoredValue: @unchecked Sendable {
  init() {}
}

/// The box of one data class's value.
public final class Stored<Value: MarketValue>: StoredValue, @unchecked Sendable {
  public let value: Value

  public init(_ value: Value) {
    self.value = value
    super.init()
  }
}
