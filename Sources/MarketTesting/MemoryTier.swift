import MarketCore
import Synchronization

/// A ``QuoteTier`` held in memory, for tests of the core's tier logic: several cores given
/// the same instance behave like instances sharing one Redis. It can be taken "down" (reads
/// find nothing, writes are lost), as a dead Redis would be.
public final class MemoryTier: QuoteTier {
  private struct State {
    var quotes: [Symbol: Quote] = [:]
    var down: String?
    var loads = 0
    var stores = 0
    var invalidations: [InvalidationScope] = []
    var statistics: CacheStatistics
  }

  public let name: String
  public let isShared: Bool
  private let state: Mutex<State>

  public init(name: String = "memory-tier", isShared: Bool = true) {
    self.name = name
    self.isShared = isShared
    self.state = Mutex(State(statistics: CacheStatistics(tier: name)))
  }

  public func load(_ symbols: [Symbol]) async -> [Symbol: Quote] {
    state.withLock { state in
      state.loads += 1
      guard state.down == nil else { return [:] }
      var found: [Symbol: Quote] = [:]
      for symbol in symbols {
        if let quote = state.quotes[symbol] {
          found[symbol] = quote
          state.statistics.hits += 1
        } else {
          state.statistics.misses += 1
        }
      }
      return found
    }
  }

  public func store(_ quotes: [Quote]) {
    state.withLock { state in
      guard state.down == nil else { return }
      for quote in quotes { state.quotes[quote.symbol] = quote }
      state.stores += quotes.count
      state.statistics.insertions += quotes.count
      state.statistics.entries = state.quotes.count
    }
  }

  public func invalidate(_ scope: InvalidationScope) {
    state.withLock { state in
      state.invalidations.append(scope)
      state.quotes = state.quotes.filter { !scope.matches(CacheKey(.quote, $0.key)) }
      state.statistics.entries = state.quotes.count
    }
  }

  public var statistics: CacheStatistics {
    state.withLock { state in
      var statistics = state.statistics
      statistics.unavailable = state.down
      return statistics
    }
  }

  /// Puts a value in directly, as another instance or an earlier run would have.
  public func put(_ quote: Quote) { state.withLock { $0.quotes[quote.symbol] = quote } }
  public func value(for symbol: Symbol) -> Quote? { state.withLock { $0.quotes[symbol] } }
  /// Takes the tier down (reads find nothing, writes are dropped) or, with nil, back up.
  public func setDown(_ reason: String?) { state.withLock { $0.down = reason } }
  public var loadCount: Int { state.withLock { $0.loads } }
  public var storeCount: Int { state.withLock { $0.stores } }
  public var invalidations: [InvalidationScope] { state.withLock { $0.invalidations } }
}
