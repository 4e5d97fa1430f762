import MarketCore
import ServiceLifecycle

/// The refresh loop as a service, so SIGINT/SIGTERM stop it in order with the rest. With
/// cache tiers it first warms L1 from them, so the first screen has values (marked stale
/// when old) before any provider answers.
struct RefreshService: Service {
  let loop: RefreshLoop
  var warmFirst = false

  func run() async throws {
    await cancelWhenGracefulShutdown {
      if warmFirst { await loop.core.warm(loop.core.symbolsToRefresh) }
      await loop.run()
    }
  }
}
