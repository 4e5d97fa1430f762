import Foundation
import MarketCore
import MarketTesting
import Testing

/// The core over the tiers below L1: read-through, write-through, warming, many instances
/// sharing one tier, and a tier that is down.
@Suite("Cache tiers in the read pipeline")
struct TierTests {
  /// A core over one scripted provider and the given tiers, on `clock`.
  static func core(
    _ provider: ScriptedProvider, tiers: [any QuoteTier], clock: ManualClock,
    configure: (inout CoreConfiguration) -> Void = { _ in }
  ) -> MarketDataCore {
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.5, maximumStaleness: .seconds(60))
    configuration.refreshInterval = .seconds(2)
    configure(&configuration)
    return MarketDataCore(
      providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock, tiers: tiers)
  }

  static func quote(_ symbol: Symbol, _ price: Double, receivedAt: Date, source: ProviderID = "elsewhere") -> Quote {
    Quote(
      symbol: symbol, price: price, asOf: receivedAt, receivedAt: receivedAt, source: source, isSimulated: false)
  }

  @Test("a quote fetched by instance A is served by instance B with no upstream call on B")
  func sharedAcrossInstances() async throws {
    let clock = ManualClock()
    let shared = MemoryTier(name: "redis")
    let upstreamA = ScriptedProvider(id: "p", price: 10, clock: clock)
    let upstreamB = ScriptedProvider(id: "p", price: 20, clock: clock)
    let a = Self.core(upstreamA, tiers: [shared], clock: clock)
    let b = Self.core(upstreamB, tiers: [shared], clock: clock)

    let first = try await a.quote(Symbol("AAPL"))
    #expect(first.origin == .upstream)
    #expect(shared.value(for: Symbol("AAPL"))?.price == 10)

    clock.advance(by: .seconds(1))
    let second = try await b.quote(Symbol("AAPL"))
    #expect(second.origin == .sharedTier)
    #expect(second.quote.price == 10)
    #expect(second.age == .seconds(1))
    #expect(upstreamB.callCount == 0)
    // Now in B's L1, as old as it is.
    let again = try await b.quote(Symbol("AAPL"))
    #expect(again.origin == .memory)
    #expect(again.age == .seconds(1))
    #expect(upstreamB.callCount == 0)
  }

  @Test("a tier value past its refresh point is not served; the provider is asked and the tier updated")
  func oldTierValuesGoUpstream() async throws {
    let clock = ManualClock()
    let tier = MemoryTier()
    tier.put(Self.quote(Symbol("AAPL"), 1, receivedAt: clock.wallNow()))
    clock.advance(by: .seconds(6))  // past 10 s × 0.5
    let provider = ScriptedProvider(id: "p", price: 2, clock: clock)
    let core = Self.core(provider, tiers: [tier], clock: clock)
    let served = try await core.quote(Symbol("AAPL"))
    #expect(served.origin == .upstream)
    #expect(served.quote.price == 2)
    #expect(provider.callCount == 1)
    #expect(tier.value(for: Symbol("AAPL"))?.price == 2)
  }

  @Test("when no provider answers, an old tier value is served marked stale rather than an error")
  func oldTierValueIsTheLastResort() async throws {
    let clock = ManualClock()
    let tier = MemoryTier()
    tier.put(Self.quote(Symbol("AAPL"), 1, receivedAt: clock.wallNow()))
    clock.advance(by: .seconds(3600))
    let provider = ScriptedProvider(id: "p") { _ in throw ProviderError.upstreamStatus(503) }
    let core = Self.core(provider, tiers: [tier], clock: clock)
    let served = try await core.quote(Symbol("AAPL"))
    #expect(served.isStale)
    #expect(served.origin == .lastKnown)
    #expect(served.quote.price == 1)
    #expect(served.age == .seconds(3600))
  }

  @Test("a tier that is down costs a provider call, never an error")
  func tierDown() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    tier.setDown("connection refused")
    let provider = ScriptedProvider(id: "p", price: 3, clock: clock)
    let core = Self.core(provider, tiers: [tier], clock: clock)
    let served = try await core.quote(Symbol("AAPL"))
    #expect(served.quote.price == 3)
    #expect(provider.callCount == 1)
    #expect(core.cacheStatistics().map(\.tier) == ["memory", "redis"])
    #expect(core.cacheStatistics().last?.unavailable == "connection refused")
  }

  @Test("tiers are asked in order and a hit in a lower tier is copied to the ones above")
  func tierOrder() async throws {
    let clock = ManualClock()
    let redis = MemoryTier(name: "redis")
    let sqlite = MemoryTier(name: "sqlite", isShared: false)
    sqlite.put(Self.quote(Symbol("MSFT"), 5, receivedAt: clock.wallNow()))
    let provider = ScriptedProvider(id: "p", clock: clock)
    let core = Self.core(provider, tiers: [redis, sqlite], clock: clock)
    let served = try await core.quote(Symbol("MSFT"))
    #expect(served.origin == .sharedTier)
    #expect(redis.value(for: Symbol("MSFT"))?.price == 5)
    #expect(provider.callCount == 0)
  }

  @Test("warming at start: an old value shows at once, marked stale, and a refresh replaces it")
  func warmAfterRestart() async throws {
    let clock = ManualClock()
    let sqlite = MemoryTier(name: "sqlite", isShared: false)
    sqlite.put(Self.quote(Symbol("AAPL"), 100, receivedAt: clock.wallNow()))
    sqlite.put(Self.quote(Symbol("NVDA"), 200, receivedAt: clock.wallNow() - 86_400))
    clock.advance(by: .seconds(30))
    let provider = ScriptedProvider(id: "p", price: 101, clock: clock)
    let core = Self.core(provider, tiers: [sqlite], clock: clock)

    #expect(await core.warm([Symbol("AAPL"), Symbol("NVDA"), Symbol("TSLA")]) == 2)
    #expect(provider.callCount == 0)
    let aapl = try #require(core.lastKnown(Symbol("AAPL")))
    #expect(aapl.isStale)
    #expect(aapl.quote.price == 100)
    #expect(aapl.age == .seconds(30))
    // A day old: too old for L1, still the last known value.
    let nvda = try #require(core.lastKnown(Symbol("NVDA")))
    #expect(nvda.isStale)
    #expect(nvda.origin == .lastKnown)
    #expect(core.lastKnown(Symbol("TSLA")) == nil)

    await core.refresh([Symbol("AAPL")])
    let refreshed = try #require(core.lastKnown(Symbol("AAPL")))
    #expect(!refreshed.isStale)
    #expect(refreshed.quote.price == 101)
  }

  @Test("warming and reading walk the tiers alike: garbage or an old value above does not hide a good one below")
  func warmLooksPastGarbageAndOldValues() async throws {
    let clock = ManualClock()
    let garbage = GarbageTier(answer: Self.quote(Symbol("MSFT"), 1, receivedAt: clock.wallNow()))
    let redis = MemoryTier(name: "redis")
    let sqlite = MemoryTier(name: "sqlite", isShared: false)
    // Redis holds a day-old NVDA; SQLite a recent one. Garbage answers for everything.
    redis.put(Self.quote(Symbol("NVDA"), 200, receivedAt: clock.wallNow() - 86_400))
    sqlite.put(Self.quote(Symbol("NVDA"), 210, receivedAt: clock.wallNow()))
    sqlite.put(Self.quote(Symbol("MSFT"), 400, receivedAt: clock.wallNow()))
    clock.advance(by: .seconds(1))
    let provider = ScriptedProvider(id: "p", price: 1, clock: clock)
    let core = Self.core(provider, tiers: [garbage, redis, sqlite], clock: clock)

    #expect(await core.warm([Symbol("NVDA"), Symbol("MSFT"), Symbol("TSLA")]) == 2)
    let nvda = try await core.quote(Symbol("NVDA"))
    #expect(nvda.quote.price == 210)
    #expect(nvda.age == .seconds(1))
    #expect(try await core.quote(Symbol("MSFT")).quote.price == 400)
    #expect(provider.callCount == 0)
  }

  @Test("a refresh counts another instance's value from within the refresh interval as done")
  func refreshUsesRecentSharedValues() async throws {
    let clock = ManualClock()
    let shared = MemoryTier(name: "redis")
    let provider = ScriptedProvider(id: "p", price: 7, clock: clock)
    let core = Self.core(provider, tiers: [shared], clock: clock)
    shared.put(Self.quote(Symbol("AAPL"), 6, receivedAt: clock.wallNow()))
    clock.advance(by: .seconds(1))
    await core.refresh([Symbol("AAPL")])
    #expect(provider.callCount == 0)
    #expect(core.lastKnown(Symbol("AAPL"))?.quote.price == 6)
    // Older than the interval: this instance asks upstream itself.
    clock.advance(by: .seconds(2))
    await core.refresh([Symbol("AAPL")])
    #expect(provider.callCount == 1)
    #expect(core.lastKnown(Symbol("AAPL"))?.quote.price == 7)
  }

  @Test("a tier value for another symbol, or one that fails the quality checks, is ignored")
  func garbageFromATier() async throws {
    let clock = ManualClock()
    let tier = GarbageTier(answer: Self.quote(Symbol("MSFT"), 1, receivedAt: clock.wallNow()))
    let provider = ScriptedProvider(id: "p", price: 9, clock: clock)
    let core = Self.core(provider, tiers: [tier], clock: clock)
    let served = try await core.quote(Symbol("AAPL"))
    #expect(served.quote.symbol == Symbol("AAPL"))
    #expect(served.quote.price == 9)
  }

  @Test("invalidation reaches every tier; one announced by another instance spares the shared tier")
  func invalidationAcrossTiers() async throws {
    let clock = ManualClock()
    let redis = MemoryTier(name: "redis")
    let sqlite = MemoryTier(name: "sqlite", isShared: false)
    let provider = ScriptedProvider(id: "p", clock: clock)
    let core = Self.core(provider, tiers: [redis, sqlite], clock: clock)
    _ = try await core.quote(Symbol("AAPL"))
    core.invalidate(.symbol(Symbol("AAPL")))
    #expect(redis.invalidations == [.symbol(Symbol("AAPL"))])
    #expect(sqlite.invalidations == [.symbol(Symbol("AAPL"))])
    try core.apply(.invalidate(.all), fromInstance: "b-1")
    #expect(redis.invalidations == [.symbol(Symbol("AAPL"))])
    #expect(sqlite.invalidations == [.symbol(Symbol("AAPL")), .all])
    #expect(core.recentEvents.contains { $0.summary == "cache invalidated (all from instance b-1): 0 entries removed" })
  }
}

/// Answers every read with the same quote, whatever was asked.
private struct GarbageTier: QuoteTier {
  let answer: Quote
  var name: String { "garbage" }
  var isShared: Bool { true }
  func load(_ symbols: [Symbol]) async -> [Symbol: Quote] {
    var wrong = answer
    wrong.price = .nan
    return Dictionary(uniqueKeysWithValues: symbols.map { ($0, $0 == answer.symbol ? wrong : answer) })
  }
  func store(_ quotes: [Quote]) {}
  func invalidate(_ scope: InvalidationScope) {}
  var statistics: CacheStatistics { CacheStatistics(tier: name) }
}
