import Foundation
import Logging
import MarketCore
import ServiceLifecycle

/// Saves watchlist edits (from the dashboard, the API, anywhere) to the config file, so they
/// survive a restart. Bursts of edits are written once; a failed write is logged, never fatal.
struct WatchlistPersistenceService: Service {
  let core: DataAbstractionLayer
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
      try WatchlistFile.save(core.watchlists.all, to: path)
    } catch {
      logger.error("could not save watchlists: \(error)")
    }
  }
}
