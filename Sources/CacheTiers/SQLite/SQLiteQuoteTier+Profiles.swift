import Foundation
import GRDB
import MarketCore

/// Company profiles, one row per symbol holding ``ProfileEntryCodec`` bytes.
extension SQLiteQuoteTier {
  public func loadProfiles(_ symbols: [Symbol]) async -> [Symbol: Profile] {
    let hidden = pendingInvalidations()
    let distinct = Set(symbols)
    let wanted = Array(distinct.filter { symbol in !hidden.contains { $0.matches(CacheKey(.profile, symbol)) } })
    var found: [Symbol: Profile] = [:]
    if !wanted.isEmpty {
      do {
        let (profiles, unreadable) = try await pool.read { db in
          var profiles: [Profile] = []
          var unreadable = 0
          for start in stride(from: 0, to: wanted.count, by: 500) {
            let chunk = wanted[start..<min(start + 500, wanted.count)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try Row.fetchCursor(
              db, sql: "SELECT symbol, entry FROM profile WHERE symbol IN (\(placeholders))",
              arguments: StatementArguments(chunk.map(\.text)))
            while let row = try rows.next() {
              let symbol: DatabaseValue = row[0]
              let entry: DatabaseValue = row[1]
              guard case .string(let text) = symbol.storage, case .blob(let bytes) = entry.storage,
                let profile = try? ProfileEntryCodec.decode(bytes), profile.symbol.text == text
              else {
                unreadable += 1
                continue
              }
              profiles.append(profile)
            }
          }
          return (profiles, unreadable)
        }
        for profile in profiles { found[profile.symbol] = profile }
        state.withLock {
          $0.unreadableEntries += unreadable
          $0.readProblem = nil
        }
      } catch {
        readFailed(error)
      }
    }
    state.withLock {
      $0.hits += found.count
      $0.misses += distinct.count - found.count
    }
    return found
  }

  /// Queues profiles to keep; returns at once.
  public func storeProfiles(_ profiles: [Profile]) {
    guard !profiles.isEmpty else { return }
    state.withLock { state in
      for profile in profiles { state.queue.store(profile) }
    }
    wakeWriter.yield()
  }
}
