/// Keeps every active watchlist symbol (and the unwatched symbols agents keep asking for, see
/// ``Prefetcher``) fresh: each pass re-fetches them all in provider
/// batches (bounded concurrency lives in ``MarketDataCore/refresh(_:)``), then waits
/// for the interval on the injected clock. Watchlist edits take effect on the next pass.
public struct RefreshLoop: Sendable {
  public let core: MarketDataCore
  public let interval: Duration

  public init(core: MarketDataCore, interval: Duration? = nil) {
    self.core = core
    self.interval = interval ?? core.configuration.refreshInterval
  }

  /// One pass over the active symbols.
  public func refreshOnce() async {
    core.advanceTime()
    await core.refresh(core.symbolsToRefresh)
    core.recordCacheMetrics()
  }

  /// Runs until the task is cancelled. Passes start on a fixed cadence; a slow pass delays
  /// the next rather than stacking up.
  public func run() async {
    var next = core.clock.now()
    while !Task.isCancelled {
      await refreshOnce()
      next = max(next + interval, core.clock.now())
      do { try await core.clock.sleep(until: next) } catch { return }
    }
  }
}
