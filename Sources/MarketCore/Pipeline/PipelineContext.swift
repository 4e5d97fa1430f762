import Synchronization

/// What every data class's pipeline shares: the clock, one memory cache (so quotes, series and
/// profiles live in one byte budget), the router with each provider's breaker, health and
/// limits, the tiers, the events and metrics, and one hedge budget.
final class PipelineContext: Sendable {
  let clock: any MarketClock
  let memory: L1Cache<StoredValue>
  let router: Router
  let tiers: [any CacheTier]
  /// The fleet's leases on upstream calls, when instances share a tier.
  let clusterFlights: (any ClusterFlights)?
  let events: EventBus
  let metrics: CoreMetrics
  /// Shared by every hedged fetch, so the cap on extra requests holds across calls and classes.
  let hedgeBudget: SharedHedgeBudget
  /// Provider batches one pass runs at once.
  let batchConcurrency: Int
  /// Refreshes running in the background (refresh-ahead, stale, related warming).
  let backgroundWork = Atomic<Int>(0)

  init(
    clock: any MarketClock, memory: L1Cache<StoredValue>, router: Router, tiers: [any CacheTier],
    clusterFlights: (any ClusterFlights)? = nil, events: EventBus, metrics: CoreMetrics, hedgeBudget: SharedHedgeBudget,
    batchConcurrency: Int
  ) {
    self.clock = clock
    self.memory = memory
    self.router = router
    self.tiers = tiers
    self.clusterFlights = clusterFlights
    self.events = events
    self.metrics = metrics
    self.hedgeBudget = hedgeBudget
    self.batchConcurrency = max(1, batchConcurrency)
  }

  /// Runs `work` in the background, counted while it runs (the cache pane's "refreshing").
  func inBackground(_ work: @escaping @Sendable () async -> Void) {
    backgroundWork.add(1, ordering: .relaxed)
    Task { [self] in
      await work()
      backgroundWork.subtract(1, ordering: .relaxed)
    }
  }

  func publish(_ kind: MarketEvent.Kind) {
    events.publish(MarketEvent(time: clock.wallNow(), kind: kind))
  }
}
