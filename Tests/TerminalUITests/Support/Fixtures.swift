import Foundation
import MarketCore
import TerminalUI

/// A fixed, fully populated dashboard state: every immortal with quotes, one stale value
/// (600519.SS), an open breaker (sim-beta), a tripped provider (sim-gamma), a disabled one
/// (finnhub) and a few events. Golden snapshots and update tests start from it.
enum Fixtures {
  static let time = Date(timeIntervalSince1970: 1_764_374_400 + 9 * 3600 + 30 * 60 + 5)

  static func snapshot() -> DashboardSnapshot {
    var quotes: [Symbol: ServedQuote] = [:]
    let listings = Dictionary(SimulatedMarket.defaultListings.map { ($0.symbol, $0) }, uniquingKeysWith: { $1 })
    for (index, immortal) in Immortal.all.enumerated() {
      for (offset, symbol) in immortal.defaultSymbols.enumerated() {
        let start = listings[symbol]?.startingPrice ?? 100
        let move = Double((index * 5 + offset) % 7 - 3) / 100
        let price = start * (1 + move)
        let isStale = symbol.text == "600519.SS"
        let age: TimeInterval = isStale ? 42 : Double((index + offset) % 4)
        let source: ProviderID = offset % 3 == 2 ? "sim-beta" : "sim-alpha"
        let quote = Quote(
          symbol: symbol, price: price, change: price - start, changePercent: move * 100, previousClose: start,
          asOf: time - age, receivedAt: time - age, source: source, isSimulated: true)
        quotes[symbol] = ServedQuote(quote: quote, isStale: isStale, age: .seconds(age), origin: .memory)
      }
    }
    var alpha = ProviderStatus(id: "sim-alpha", priority: 1, isSimulated: true)
    alpha.health.p50 = .milliseconds(31)
    alpha.health.p99 = .milliseconds(187)
    alpha.health.errorRate = 0.012
    alpha.health.requestsPerSecond = 6.2
    alpha.breaker.failureRate = 2
    alpha.breaker.slowCallRate = 0
    alpha.breaker.lastTransitionReason = "reset by operator"
    var beta = ProviderStatus(id: "sim-beta", priority: 1, isSimulated: true)
    beta.breaker.state = .open
    beta.breaker.failureRate = 62
    beta.breaker.slowCallRate = 4
    beta.breaker.nextProbeIn = .seconds(12)
    beta.breaker.lastTransitionReason = "failure rate 62% over the 50% threshold"
    beta.health.p50 = .milliseconds(52)
    beta.health.p99 = .milliseconds(1400)
    beta.health.errorRate = 0.62
    beta.health.requestsPerSecond = 1.5
    var gamma = ProviderStatus(id: "sim-gamma", priority: 2, isSimulated: true)
    gamma.breaker.state = .forcedOpen
    gamma.breaker.lastTransitionReason = "tripped by operator"
    gamma.health.p50 = .milliseconds(80)
    gamma.health.p99 = .milliseconds(610)
    gamma.health.errorRate = 0.02
    var finnhub = ProviderStatus(id: "finnhub", priority: 3, isSimulated: false)
    finnhub.isEnabled = false
    finnhub.limits.dailyQuota = 86_400
    finnhub.limits.quotaUsed = 1_234
    finnhub.limits.costSpent = 0.37
    finnhub.breaker.lastTransitionReason = "disabled by operator"

    var cache = CacheStatistics(tier: "memory", maximumEntries: 50_000, maximumBytes: 64 << 20)
    cache.entries = 40
    cache.bytes = 9_120
    cache.hits = 1_962
    cache.misses = 38
    cache.staleServes = 3
    cache.evictions = 0
    cache.refreshesInFlight = 2

    let events = [
      MarketEvent(time: time - 50, kind: .operatorAction("provider sim-alpha reset by operator")),
      MarketEvent(
        time: time - 30,
        kind: .breakerTransition("sim-beta", from: "closed", to: "open", reason: "failure rate 62% over the 50% threshold")),
      MarketEvent(time: time - 20, kind: .providerError("sim-beta", .timeout, symbols: [Symbol("NVDA"), Symbol("TSLA")])),
      MarketEvent(time: time - 10, kind: .operatorAction("provider sim-gamma tripped by operator")),
    ]
    return DashboardSnapshot(
      time: time, watchlists: WatchlistBook.defaults, quotes: quotes, providers: [alpha, beta, gamma, finnhub],
      cacheTiers: [cache], recentEvents: events, quoteTimeToLive: .seconds(15))
  }

  /// The fixture state at a size, focus on the first immortal.
  static func state(width: Int, height: Int) -> DashboardState {
    var state = DashboardState(size: TerminalSize(width: width, height: height), now: time)
    _ = update(&state, .snapshot(snapshot()))
    return state
  }

  /// Applies keys one after another, collecting the effects.
  @discardableResult
  static func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
    keys.flatMap { update(&state, .key($0)) }
  }
}
