import MarketCore

/// `GET /v1/cache`: the counters of every cache tier (today only `memory`; the shared tiers
/// add theirs when they land).
public struct CacheBody: Codable, Sendable {
  public struct Tier: Codable, Sendable {
    public var tier: String
    public var entries: Int
    public var bytes: Int
    public var maximumEntries: Int
    public var maximumBytes: Int
    public var hits: Int
    public var misses: Int
    public var staleServes: Int
    public var evictions: Int
    public var expirations: Int
    public var insertions: Int
    public var hitRatio: Double?
    /// Why the tier cannot be used now (Redis unreachable, say); absent while it works.
    public var unavailable: String?

    enum CodingKeys: String, CodingKey {
      case tier, entries, bytes
      case maximumEntries = "maximum_entries"
      case maximumBytes = "maximum_bytes"
      case hits, misses
      case staleServes = "stale_serves"
      case evictions, expirations, insertions
      case hitRatio = "hit_ratio"
      case unavailable
    }

    public init(_ statistics: CacheStatistics) {
      tier = statistics.tier
      entries = statistics.entries
      bytes = statistics.bytes
      maximumEntries = statistics.maximumEntries
      maximumBytes = statistics.maximumBytes
      hits = statistics.hits
      misses = statistics.misses
      staleServes = statistics.staleServes
      evictions = statistics.evictions
      expirations = statistics.expirations
      insertions = statistics.insertions
      hitRatio = statistics.hitRatio?.finite
      unavailable = statistics.unavailable
    }
  }

  public var tiers: [Tier]
  public var refreshesInFlight: Int

  enum CodingKeys: String, CodingKey {
    case tiers
    case refreshesInFlight = "refreshes_in_flight"
  }

  /// L1 first, then each tier below it in read order.
  public init(_ tiers: [CacheStatistics]) {
    self.tiers = tiers.map(Tier.init)
    refreshesInFlight = tiers.first?.refreshesInFlight ?? 0
  }
}

/// The answer to a `DELETE` on the cache: what was dropped.
public struct InvalidationBody: Codable, Sendable {
  public var scope: String
  public var removed: Int

  public init(scope: String, removed: Int) {
    self.scope = scope
    self.removed = removed
  }
}
