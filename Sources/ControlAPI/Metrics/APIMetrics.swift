import MarketCore
import Metrics
import Prometheus

/// Wires swift-metrics to Prometheus for the whole process and names what the API adds.
public enum APIMetrics {
  /// Bootstraps swift-metrics onto `registry` (once per process, before the core is built, so
  /// the core's handles land there too).
  public static func bootstrap(registry: PrometheusCollectorRegistry) {
    MetricsSystem.bootstrap(factory(registry: registry))
  }

  /// The factory `bootstrap` installs; tests that bootstrap themselves use it too.
  public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
    var factory = PrometheusMetricsFactory(registry: registry)
    // Route latencies are milliseconds; upstream calls run up to seconds.
    factory.defaultDurationHistogramBuckets = [
      .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    return factory
  }

  static let httpRequests = "lianyaohu_http_requests_total"
  static let httpRequestDuration = "lianyaohu_http_request_duration_seconds"
  static let httpRequestsInFlight = "lianyaohu_http_requests_in_flight"
  static let httpRequestErrors = "lianyaohu_http_request_errors_total"
  static let cacheHitRatio = "lianyaohu_cache_hit_ratio"
  static let cacheTierUp = "lianyaohu_cache_tier_up"
  static let breakerState = "lianyaohu_provider_breaker_state"
  static let providerUp = "lianyaohu_provider_up"
  static let budgetLocalShare = "lianyaohu_provider_budget_local_share"
  static let streamClients = "lianyaohu_stream_clients"
  static let residentMemory = "process_resident_memory_bytes"
  static let virtualMemory = "process_virtual_memory_bytes"
  static let cpuSeconds = "process_cpu_seconds_total"
  static let startTime = "process_start_time_seconds"
  static let openFileDescriptors = "process_open_fds"
  static let threads = "process_threads"

  /// One `# HELP` line per metric: swift-metrics has no place for help text, so it is added
  /// to the exposition from this table.
  public static let help: [String: String] = [
    MetricNames.quoteRequests:
      "Quote reads that memory could not serve fresh, by result (miss, stale, error); hits are lianyaohu_cache_hits_total.",
    MetricNames.quoteLatency: "Time a quote read that missed the memory cache took end to end.",
    MetricNames.upstreamRequests: "Calls made to each provider (a batch counts once).",
    MetricNames.upstreamErrors: "Failed provider calls by provider and error class.",
    MetricNames.upstreamLatency: "Latency of provider calls, per provider.",
    MetricNames.cacheHits: "Cache hits per tier.",
    MetricNames.cacheMisses: "Cache misses per tier.",
    MetricNames.cacheEvictions: "Entries evicted to stay within bounds, per tier.",
    MetricNames.cacheStaleServes: "Reads answered with a stale value while it refreshed, per tier.",
    MetricNames.cacheEntries: "Entries held, per tier.",
    MetricNames.cacheBytes: "Approximate bytes held, per tier.",
    MetricNames.inFlight: "Provider calls running now.",
    MetricNames.refreshQueueDepth: "Provider batches waiting in the refresh loop's current pass.",
    MetricNames.refreshes: "Background refreshes started.",
    httpRequests: "HTTP requests answered, by route, method and status.",
    httpRequestDuration: "HTTP request latency by route, method and status.",
    httpRequestsInFlight: "HTTP requests being handled now, by method.",
    httpRequestErrors: "HTTP requests that ended in an error, by route, method and status.",
    cacheHitRatio: "Hits over reads since start, per tier.",
    cacheTierUp: "1 while the cache tier is usable, 0 while it is not (Redis unreachable, say).",
    breakerState: "1 for each provider's current circuit breaker state, 0 for the others.",
    providerUp: "1 when the router may ask the provider now (enabled, breaker admits, budget left).",
    budgetLocalShare:
      "For a provider with a cluster-wide budget: N while this instance counts it alone at 1/N of its limits (Redis unreachable), 0 while it is counted in Redis.",
    streamClients: "Live stream (/v1/stream) clients connected now.",
    residentMemory: "Resident set size in bytes.",
    virtualMemory: "Virtual memory size in bytes.",
    cpuSeconds: "User and system CPU time spent, in seconds.",
    startTime: "When the process started, in seconds since 1970.",
    openFileDescriptors: "Open file descriptors.",
    threads: "Operating system threads.",
  ]
}
