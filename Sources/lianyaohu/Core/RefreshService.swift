import MarketCore
import ServiceLifecycle

/// The refresh loop as a service, so SIGINT/SIGTERM stop it in order with the rest.
struct RefreshService: Service {
  let loop: RefreshLoop

  func run() async throws {
    await cancelWhenGracefulShutdown {
      await loop.run()
    }
  }
}
