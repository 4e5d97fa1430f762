import Foundation

/// What the core can say about itself: providers, caches, recent events. Values only, taken
/// at one moment; what the dashboard, `/v1/providers`, `/v1/cache`, `/readyz` and `/metrics` show.
extension MarketDataCore {
  /// Every provider's status, in routing order.
  public func providerStatuses() -> [ProviderStatus] {
    let now = context.clock.now()
    return context.router.runtimes.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }.map { $0.status(at: now) }
  }

  /// Memory first, then every tier in read order.
  public func cacheStatistics() -> [CacheStatistics] {
    var memory = context.memory.statistics
    memory.refreshesInFlight =
      context.backgroundWork.load(ordering: .relaxed) + quoteReads.flightsInFlight + historyReads.flightsInFlight
      + profileReads.flightsInFlight
    return [memory] + context.tiers.map(\.statistics)
  }

  /// Recent events other than quote updates, oldest first.
  public var recentEvents: [MarketEvent] { context.events.recent }

  /// Everything at once, for a screen or a stream's first message.
  public func status() -> CoreStatus {
    CoreStatus(
      time: context.clock.wallNow(), providers: providerStatuses(), cacheTiers: cacheStatistics(),
      recentEvents: recentEvents, prefetch: prefetch.statistics, quoteTimeToLive: configuration.quotePolicy.timeToLive,
      eventSubscribers: context.events.subscriberCount)
  }

  /// Brings the cache counters in the metrics backend up to date with the caches' own (the
  /// hit path counts inside the caches, never in the backend).
  public func recordCacheMetrics() {
    for statistics in cacheStatistics() { context.metrics.report(cache: statistics) }
  }
}

/// The core's state at one moment.
public struct CoreStatus: Sendable {
  /// Wall-clock time on the core's clock.
  public var time: Date
  /// In routing order.
  public var providers: [ProviderStatus]
  /// Memory first, then each tier.
  public var cacheTiers: [CacheStatistics]
  /// Other than quote updates, oldest first.
  public var recentEvents: [MarketEvent]
  public var prefetch: Prefetcher.Statistics
  /// How long a quote stays fresh; older values are shown as stale.
  public var quoteTimeToLive: Duration
  /// Subscribers to ``MarketDataCore/updates(bufferSize:)`` now.
  public var eventSubscribers: Int
}
