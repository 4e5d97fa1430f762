import MarketCore

/// `GET /v1/cache`: the counters of every cache tier (today only `memory`; the shared tiers
/// add theirs when they land).
struct CacheBody: Encodable {
  struct Tier: Encodable {
    var tier: String
    var entries: Int
    var bytes: Int
    var maximumEntries: Int
    var maximumBytes: Int
    var hits: Int
    var misses: Int
    var staleServes: Int
    var evictions: Int
    var expirations: Int
    var insertions: Int
    var hitRatio: Double?

    enum CodingKeys: String, CodingKey {
      case tier, entries, bytes
      case maximumEntries = "maximum_entries"
      case maximumBytes = "maximum_bytes"
      case hits, misses
      case staleServes = "stale_serves"
      case evictions, expirations, insertions
      case hitRatio = "hit_ratio"
    }

    init(_ statistics: CacheStatistics) {
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
    }
  }

  var tiers: [Tier]
  var refreshesInFlight: Int

  enum CodingKeys: String, CodingKey {
    case tiers
    case refreshesInFlight = "refreshes_in_flight"
  }

  init(_ statistics: CacheStatistics) {
    tiers = [Tier(statistics)]
    refreshesInFlight = statistics.refreshesInFlight
  }
}

/// The answer to a `DELETE` on the cache: what was dropped.
struct InvalidationBody: Encodable {
  var scope: String
  var removed: Int
}
