import Metrics
import Synchronization

/// The swift-metrics handles the core uses, created once (a lookup per call would cost more
/// than the cache read it measures). Cache counters are copied from the cache's own counters
/// by ``report(cache:)`` so the hit path touches no metrics backend at all: a quote read
/// served from memory shows as `lianyaohu_cache_hits_total{tier="memory"}`, not here.
public final class CoreMetrics: Sendable {
  public let inFlight = Gauge(label: MetricNames.inFlight)
  public let refreshQueueDepth = Gauge(label: MetricNames.refreshQueueDepth)
  public let refreshes = Counter(label: MetricNames.refreshes)
  public let divergences = Counter(label: MetricNames.divergences)
  let hedges = Counter(label: MetricNames.extraRequests, dimensions: [("kind", "hedge")])
  let failovers = Counter(label: MetricNames.extraRequests, dimensions: [("kind", "failover")])
  let concurrentRequests = Counter(label: MetricNames.extraRequests, dimensions: [("kind", "concurrent")])
  let refusedHedges = Counter(label: MetricNames.extraRequests, dimensions: [("kind", "refused")])
  let clusterFlights = ClusterFlightCounters()

  struct ClusterFlightCounters: Sendable {
    let led = Counter(label: MetricNames.clusterFlights, dimensions: [("outcome", "led")])
    let joined = Counter(label: MetricNames.clusterFlights, dimensions: [("outcome", "joined")])
    let tookOver = Counter(label: MetricNames.clusterFlights, dimensions: [("outcome", "took_over")])
    let alone = Counter(label: MetricNames.clusterFlights, dimensions: [("outcome", "alone")])
  }

  /// Counts what one fan-out sent beyond its first request.
  func recordExtraRequests<Candidate, Value>(_ result: FanOutResult<Candidate, Value>) {
    for attempt in result.attempts {
      switch attempt.kind {
      case .primary: break
      case .hedge: hedges.increment()
      case .failover: failovers.increment()
      case .concurrent: concurrentRequests.increment()
      }
    }
    if result.refusedHedges > 0 { refusedHedges.increment(by: result.refusedHedges) }
  }

  private let inFlightCount = Atomic<Int>(0)
  private let reported = Mutex<[String: CacheStatistics]>([:])

  public init() {}

  /// Per-provider handles.
  public struct Provider: Sendable {
    public let requests: Counter
    public let latency: Timer
    let id: ProviderID

    init(_ id: ProviderID) {
      self.id = id
      requests = Counter(label: MetricNames.upstreamRequests, dimensions: [("provider", id.name)])
      latency = Timer(label: MetricNames.upstreamLatency, dimensions: [("provider", id.name)])
    }

    public func recordError(_ error: ProviderError) {
      Counter(label: MetricNames.upstreamErrors, dimensions: [("provider", id.name), ("class", error.errorClass)]).increment()
    }
  }

  public func provider(_ id: ProviderID) -> Provider { Provider(id) }

  func upstreamCallStarted() { inFlight.record(inFlightCount.add(1, ordering: .relaxed).newValue) }
  func upstreamCallEnded() { inFlight.record(inFlightCount.subtract(1, ordering: .relaxed).newValue) }

  /// Advances the cache counters by what changed since the last report, and sets the gauges.
  public func report(cache statistics: CacheStatistics) {
    let previous = reported.withLock { reported in
      defer { reported[statistics.tier] = statistics }
      return reported[statistics.tier] ?? CacheStatistics(tier: statistics.tier)
    }
    let tier = [("tier", statistics.tier)]
    func advance(_ label: String, _ now: Int, _ before: Int) {
      if now > before { Counter(label: label, dimensions: tier).increment(by: now - before) }
    }
    advance(MetricNames.cacheHits, statistics.hits, previous.hits)
    advance(MetricNames.cacheMisses, statistics.misses, previous.misses)
    advance(MetricNames.cacheEvictions, statistics.evictions, previous.evictions)
    advance(MetricNames.cacheStaleServes, statistics.staleServes, previous.staleServes)
    Gauge(label: MetricNames.cacheEntries, dimensions: tier).record(statistics.entries)
    Gauge(label: MetricNames.cacheBytes, dimensions: tier).record(statistics.bytes)
  }
}

/// One data class's read counters (`lianyaohu_quote_requests_total{result}` for quotes): what
/// memory could not serve fresh, and how long those reads took.
struct ReadMetrics: Sendable {
  let stale: Counter
  let misses: Counter
  let errors: Counter
  let latency: Timer

  init(_ kind: DataKind) {
    let requests = MetricNames.requests(kind)
    stale = Counter(label: requests, dimensions: [("result", "stale")])
    misses = Counter(label: requests, dimensions: [("result", "miss")])
    errors = Counter(label: requests, dimensions: [("result", "error")])
    latency = Timer(label: MetricNames.latency(kind))
  }
}
