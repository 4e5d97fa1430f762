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
    let existing = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
    do {
      try AtomicFile.write(WatchlistFile.rewrite(existing, with: core.watchlists.all), to: path)
    } catch {
      logger.error("could not save watchlists: \(error)")
    }
  }
}
