import Synchronization

/// Predictive prefetch. Agents ask for symbols no watchlist holds; when one keeps being read
/// after its value has aged (a miss, or a hit past its refresh point), it joins the
/// background refresh for a while, so the next reads find it fresh. And symbols configured as
/// related (NVDA → TSM, AMD, SMCI) are warmed when one of them misses, since debates move
/// from one to the others.
public final class Prefetcher: Sendable {
  public struct Configuration: Hashable, Sendable {
    public var enabled = true
    /// Aged reads within `window` that make a symbol hot.
    public var hotAfterReads = 3
    public var window: Duration = .seconds(60)
    /// How long a hot symbol stays in the background refresh after its last aged read.
    public var keepHotFor: Duration = .seconds(600)
    /// At most this many hot symbols (upstream quotas are small); the least recently read go.
    public var maximumHotSymbols = 100
    /// A miss on the key warms these.
    public var relatedGroups: [Symbol: [Symbol]] = [:]

    public init() {}
  }

  public struct Statistics: Hashable, Sendable {
    public var hotSymbols = 0
    /// Symbols that became hot, ever.
    public var promotions = 0
    /// Related symbols warmed, ever.
    public var relatedWarms = 0
  }

  private struct State {
    /// Aged reads per symbol in the current window.
    var reads: [Symbol: (windowStart: MarketInstant, count: Int)] = [:]
    /// Hot symbols and when they cool down.
    var hot: [Symbol: MarketInstant] = [:]
    var statistics = Statistics()
  }

  /// Demand is remembered for this many distinct symbols at most, so a scan over random
  /// symbols cannot grow memory without bound.
  private static let trackedSymbolsLimit = 10_000

  public let configuration: Configuration
  private let state = Mutex(State())

  public init(_ configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// A read found this symbol aged or missing.
  public func noteAged(_ symbol: Symbol, at now: MarketInstant) {
    guard configuration.enabled else { return }
    state.withLock { state in
      if state.hot[symbol] != nil {
        state.hot[symbol] = now + configuration.keepHotFor
        return
      }
      var entry = state.reads[symbol] ?? (now, 0)
      if now - entry.windowStart >= configuration.window { entry = (now, 0) }
      entry.count += 1
      guard entry.count >= configuration.hotAfterReads else {
        if state.reads[symbol] == nil, state.reads.count >= Self.trackedSymbolsLimit {
          forgetExpiredReads(&state, now: now)
          guard state.reads.count < Self.trackedSymbolsLimit else { return }
        }
        state.reads[symbol] = entry
        return
      }
      state.reads[symbol] = nil
      if state.hot.count >= configuration.maximumHotSymbols,
        let coolest = state.hot.min(by: { $0.value < $1.value })?.key
      {
        state.hot[coolest] = nil
      }
      state.hot[symbol] = now + configuration.keepHotFor
      state.statistics.promotions += 1
    }
  }

  /// The symbols hot now; those whose time ran out are dropped.
  public func hotSymbols(at now: MarketInstant) -> [Symbol] {
    guard configuration.enabled else { return [] }
    return state.withLock { state in
      state.hot = state.hot.filter { $0.value > now }
      return state.hot.keys.sorted()
    }
  }

  public func related(to symbol: Symbol) -> [Symbol] {
    guard configuration.enabled else { return [] }
    return configuration.relatedGroups[symbol] ?? []
  }

  func noteRelatedWarm(_ count: Int) {
    state.withLock { $0.statistics.relatedWarms += count }
  }

  public var statistics: Statistics {
    state.withLock { state in
      var statistics = state.statistics
      statistics.hotSymbols = state.hot.count
      return statistics
    }
  }

  private func forgetExpiredReads(_ state: inout State, now: MarketInstant) {
    state.reads = state.reads.filter { now - $0.value.windowStart < configuration.window }
  }
}
