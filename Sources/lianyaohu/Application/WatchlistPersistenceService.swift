import Foundation
import LianyaohuConfig
import Logging
import MarketCore
import ServiceLifecycle

/// Saves watchlist edits (from the dashboard, the API, other instances, anywhere) to the config
/// file, so they survive a restart: each edit writes the whole current set. A failed write is logged
/// and announced on the core's events (the dashboard's events pane, the API's stream), never
/// fatal: the edit holds in memory.
struct WatchlistPersistenceService: Service {
  let core: MarketDataCore
  let path: String
  let logger: Logger

  func run() async throws {
    let updates = core.updates(bufferSize: 256)
    await cancelWhenGracefulShutdown {
      for await event in updates {
        guard case .watchlistChanged = event.kind else { continue }
        save()
      }
    }
  }

  func save() {
    do {
      try WatchlistFile.save(core.watchlists, to: path)
    } catch {
      logger.error("could not save watchlists: \(error)")
      core.reportPersistenceFailure("watchlists to \(path): \(error)")
    }
  }
}
