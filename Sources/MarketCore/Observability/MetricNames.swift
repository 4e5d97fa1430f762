/// Every metric the core emits, named in one place so the dashboard, `/metrics` and the docs
/// agree. Names follow Prometheus conventions (`_total` counters, `_seconds` durations).
public enum MetricNames {
  /// Counter, label `result` = `stale` | `miss` | `error`: reads of one data class that memory
  /// could not serve fresh (hits are `lianyaohu_cache_hits_total`).
  public static func requests(_ kind: DataKind) -> String { "lianyaohu_\(kind.name)_requests_total" }
  /// Timer: the time a read that missed memory took end to end, per data class.
  public static func latency(_ kind: DataKind) -> String { "lianyaohu_\(kind.name)_latency_seconds" }
  public static let quoteRequests = requests(.quote)
  public static let quoteLatency = latency(.quote)
  /// Counter, label `provider`: calls made to a provider (a batch counts once).
  public static let upstreamRequests = "lianyaohu_upstream_requests_total"
  /// Counter, labels `provider`, `class` (``ProviderError/errorClass``).
  public static let upstreamErrors = "lianyaohu_upstream_errors_total"
  /// Timer, label `provider`.
  public static let upstreamLatency = "lianyaohu_upstream_latency_seconds"
  /// Counters, label `tier`.
  public static let cacheHits = "lianyaohu_cache_hits_total"
  public static let cacheMisses = "lianyaohu_cache_misses_total"
  public static let cacheEvictions = "lianyaohu_cache_evictions_total"
  public static let cacheStaleServes = "lianyaohu_cache_stale_serves_total"
  /// Gauges, label `tier`.
  public static let cacheEntries = "lianyaohu_cache_entries"
  public static let cacheBytes = "lianyaohu_cache_bytes"
  /// Gauge: upstream calls running now.
  public static let inFlight = "lianyaohu_upstream_in_flight"
  /// Gauge: symbols waiting in the refresh loop's current pass.
  public static let refreshQueueDepth = "lianyaohu_refresh_queue_depth"
  /// Counter: background refreshes started (refresh-ahead, stale and scheduled).
  public static let refreshes = "lianyaohu_refreshes_total"
  /// Counter: two providers' prices for one symbol disagreed beyond the threshold.
  public static let divergences = "lianyaohu_price_divergences_total"
  /// Counter: requests beyond a quote's first, by `kind` (`hedge`, `failover`, `concurrent`
  /// for first-wins), and hedges that were due but `refused` by the budget.
  public static let extraRequests = "lianyaohu_extra_requests_total"
  /// Gauge: the tuned delay before `provider`'s quotes are hedged to `hedge`.
  public static let hedgeDelay = "lianyaohu_hedge_delay_seconds"
  /// Counter: reads that missed every tier while a fleet shares one, by `outcome`: `led` (this
  /// instance held the key's lease and asked upstream), `joined` (another instance's value
  /// arrived in the shared tier), `took_over` (the holder released or died without a value,
  /// and this instance then asked), `alone` (the lease store was unavailable).
  public static let clusterFlights = "lianyaohu_cluster_flights_total"
}
