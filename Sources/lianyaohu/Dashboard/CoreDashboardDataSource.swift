import CacheTiers
import Foundation
import MarketCore
import Synchronization
import TerminalUI

/// The dashboard's data source when the core runs in this process: reads and commands go
/// straight to the `MarketDataCore`.
struct CoreDashboardDataSource: DashboardDataSource {
  typealias HistoryLoader = @Sendable ([Symbol]) async -> [Symbol: [Double]]

  let core: MarketDataCore
  /// Earlier prices per symbol (the SQLite tier's), for sparklines that start full after a
  /// restart; read for the first snapshot only.
  private let history: HistoryLoader?
  private let historySent = OnceFlag()

  init(core: MarketDataCore, history: HistoryLoader? = nil) {
    self.core = core
    self.history = history
  }

  func snapshot() async -> DashboardSnapshot {
    let status = core.status()
    let watchlists = core.watchlists
    var quotes: [Symbol: ServedQuote] = [:]
    for list in watchlists.values {
      for symbol in list.symbols where quotes[symbol] == nil {
        if let served = core.lastKnown(symbol) { quotes[symbol] = served }
      }
    }
    var snapshot = DashboardSnapshot(
      time: status.time, watchlists: watchlists, quotes: quotes, providers: status.providers,
      cacheTiers: status.cacheTiers, recentEvents: status.recentEvents, quoteTimeToLive: status.quoteTimeToLive,
      connection: .inProcess)
    if let history, historySent.claim() {
      snapshot.history = await history(Array(quotes.keys))
    }
    return snapshot
  }

  /// Sparkline points from the SQLite tier's ticks: the last price of each sparkline interval.
  static func history(from tier: SQLiteQuoteTier) -> HistoryLoader {
    { symbols in
      let ticks = await tier.history(symbols, limit: tier.options.historyLength)
      return ticks.mapValues { ticks in
        var points: [(bucket: Int, price: Double)] = []
        for tick in ticks {
          let bucket = Int(tick.asOf.timeIntervalSince1970 / QuoteRow.sparklineInterval)
          if points.last?.bucket == bucket {
            points[points.count - 1].price = tick.price
          } else {
            points.append((bucket, tick.price))
          }
        }
        return points.suffix(QuoteRow.sparklineCapacity).map(\.price)
      }
    }
  }

  func updates() -> AsyncStream<DashboardUpdate> {
    let events = core.updates()
    // Bounded like the core's own subscription: a stalled dashboard drops the oldest events.
    return AsyncStream(bufferingPolicy: .bufferingNewest(4096)) { continuation in
      let forwarding = Task {
        for await event in events { continuation.yield(.event(event)) }
        continuation.finish()
      }
      continuation.onTermination = { _ in forwarding.cancel() }
    }
  }

  func perform(_ command: OperatorCommand) async -> Result<String, OperatorCommandError> {
    do throws(OperatorCommandError) {
      switch command {
      case .tripProvider(let id):
        try operate { () throws(OperatorError) in try core.tripProvider(id) }
        return .success("\(id) tripped: its breaker is forced open until reset")
      case .resetProvider(let id):
        try operate { () throws(OperatorError) in try core.resetProvider(id) }
        return .success("\(id) reset: its breaker is closed")
      case .setProviderEnabled(let id, let enabled):
        try operate { () throws(OperatorError) in try core.setProviderEnabled(id, enabled) }
        return .success(enabled ? "\(id) enabled: the router may ask it again" : "\(id) disabled: the router will not ask it")
      case .toggleSymbol(let immortal, let symbol):
        let list = try edit(immortal, .toggle(symbol))
        let isActive = list.entries.first { $0.symbol == symbol }?.isActive ?? false
        return .success(
          "\(symbol) \(isActive ? "active again" : "set aside") for \(Immortal.named(immortal).pinyin)"
            + (isActive ? "; fetching it" : "; no longer fetched for this debate"))
      case .addSymbol(let immortal, let symbol):
        // Ask the providers first: a symbol none of them knows would wait for a quote forever.
        var note = "fetching it"
        do {
          let served = try await core.quote(symbol)
          note = "\(Format.price(served.quote.price)) from \(served.source)"
        } catch .unknownSymbol {
          return .failure(OperatorCommandError("no provider knows \(symbol); not added"))
        } catch .allProvidersFailed(_, let failures) where failures.contains(where: { $0.error == .unknownSymbol(symbol) }) {
          // Some said "unknown", the rest could not answer: refuse rather than wait forever.
          let unreachable = failures.filter { $0.error != .unknownSymbol(symbol) }.map(\.provider.name)
          return .failure(
            OperatorCommandError(
              "no provider that answered knows \(symbol); not added (no answer from \(unreachable.joined(separator: ", ")))"))
        } catch {
          note = "no quote yet (\(error))"
        }
        try edit(immortal, .add(symbol))
        return .success("\(symbol) added for \(Immortal.named(immortal).pinyin): \(note)")
      case .removeSymbol(let immortal, let symbol):
        try edit(immortal, .remove(symbol))
        return .success("\(symbol) removed from \(Immortal.named(immortal).pinyin)'s watchlist")
      case .clearCache:
        let removed = core.invalidate(.all)
        return .success("cache cleared: \(removed) entries removed")
      }
    } catch {
      return .failure(error)
    }
  }

  func history(_ request: HistoryRequest) async -> Result<Served<HistorySeries>, DetailLoadError> {
    do throws(ReadError) {
      return .success(try await core.history(request))
    } catch {
      return .failure(DetailLoadError(error))
    }
  }

  func profile(_ symbol: Symbol) async -> Result<Served<Profile>, DetailLoadError> {
    do throws(ReadError) {
      return .success(try await core.profile(symbol))
    } catch {
      return .failure(DetailLoadError(error))
    }
  }

  /// Intraday closes through the core's history pipeline.
  func sparklineHistory(_ symbols: [Symbol]) async -> [Symbol: [Double]] {
    let core = self.core
    return await SparklineHistory.load(symbols, atOnce: Self.sparklineLoadsAtOnce) { request in
      try? await core.history(request).value
    }
  }

  /// History reads in flight at once while seeding sparklines.
  static let sparklineLoadsAtOnce = 4

  private func operate(_ body: () throws(OperatorError) -> Void) throws(OperatorCommandError) {
    do { try body() } catch { throw OperatorCommandError(error.description) }
  }

  @discardableResult
  private func edit(_ immortal: ImmortalID, _ edit: WatchlistEdit) throws(OperatorCommandError) -> Watchlist {
    do { return try core.editWatchlist(immortal, edit) } catch { throw OperatorCommandError(error.description) }
  }
}

/// True for the first caller of ``claim()`` only.
private final class OnceFlag: Sendable {
  private let claimed = Mutex(false)

  func claim() -> Bool {
    claimed.withLock { claimed in
      defer { claimed = true }
      return !claimed
    }
  }
}
