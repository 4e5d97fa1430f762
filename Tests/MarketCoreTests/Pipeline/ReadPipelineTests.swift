import Foundation
import MarketCore
import MarketTesting
import Testing

/// A core over scripted providers on a manual clock.
struct Harness {
  let clock = ManualClock()
  let core: MarketDataCore

  init(providers: [ProviderRegistration], configure: (inout CoreConfiguration) -> Void = { _ in }) {
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.5, maximumStaleness: .seconds(60))
    configure(&configuration)
    core = MarketDataCore(providers: providers, configuration: configuration, clock: clock)
  }
}

@Suite("MarketDataCore")
struct ReadPipelineTests {
  @Test("100 concurrent callers of one key make exactly one upstream call")
  func singleFlight() async throws {
    let clock = ManualClock()
    let gate = Gate()
    let provider = ScriptedProvider(id: "p", price: 42, clock: clock, gate: gate)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    try await withThrowingTaskGroup(of: ServedQuote.self) { group in
      for _ in 0..<100 { group.addTask { try await core.quote(Symbol("AAPL")) } }
      await gate.waitForWaiters(1)
      // Let every caller reach the flight before the one upstream call returns.
      for _ in 0..<1_000 { await Task.yield() }
      gate.open()
      var count = 0
      for try await served in group {
        #expect(served.quote.price == 42)
        count += 1
      }
      #expect(count == 100)
    }
    #expect(provider.callCount == 1)
  }

  @Test("an error reaches every concurrent caller and is not cached")
  func errorsAreShared() async throws {
    let clock = ManualClock()
    let gate = Gate()
    let provider = ScriptedProvider(id: "p", gate: gate) { _ in throw ProviderError.upstreamStatus(503) }
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    let failures = Recorder<ReadError>()
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<100 {
        group.addTask {
          do throws(ReadError) { _ = try await core.quote(Symbol("AAPL")) } catch { failures.append(error) }
        }
      }
      await gate.waitForWaiters(1)
      for _ in 0..<1_000 { await Task.yield() }
      gate.open()
    }
    #expect(failures.count == 100)
    #expect(
      failures.values.allSatisfy {
        $0 == .allProvidersFailed(Symbol("AAPL"), failures: [ProviderFailure(provider: "p", error: .upstreamStatus(503))])
      })
    #expect(provider.callCount == 1)
    // Not cached: the next call goes upstream again, and succeeds once the provider recovers.
    provider.respond { symbols in
      let now = clock.wallNow()
      return [
        symbols[0]: .success(Quote(symbol: symbols[0], price: 7, asOf: now, receivedAt: now, source: "p", isSimulated: false))
      ]
    }
    let served = try await core.quote(Symbol("AAPL"))
    #expect(served.quote.price == 7)
    #expect(provider.callCount == 2)
  }

  @Test("a warm read is served from memory with its source and age")
  func warmRead() async throws {
    let harness = Harness(providers: [ProviderRegistration(ScriptedProvider(id: "p", price: 10, clock: ManualClock()))])
    let first = try await harness.core.quote(Symbol("KO"))
    #expect(first.origin == .upstream)
    harness.clock.advance(by: .seconds(2))
    let second = try await harness.core.quote(Symbol("KO"))
    #expect(second.origin == .memory)
    #expect(second.age == .seconds(2))
    #expect(second.source == "p")
    #expect(!second.isStale)
  }

  @Test("refresh-ahead: a read past the refresh point returns the cached value and refreshes it once")
  func refreshAhead() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 10, clock: clock)
    let core = Harness.core(provider, clock: clock)
    _ = try await core.quote(Symbol("PG"))
    clock.advance(by: .seconds(6))  // past 50 % of a 10 s TTL
    let served = try await core.quote(Symbol("PG"))
    #expect(served.origin == .memory)
    #expect(!served.isStale)
    _ = try await core.quote(Symbol("PG"))  // a second read must not start a second refresh
    await eventually { provider.callCount == 2 && core.cacheStatistics()[0].refreshesInFlight == 0 }
    #expect(provider.callCount == 2)
    let refreshed = try await core.quote(Symbol("PG"))
    #expect(refreshed.age == .zero)
  }

  @Test("entries nobody reads expire; a read within the staleness limit is served stale and refreshed")
  func staleWhileRevalidate() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 10, clock: clock)
    let core = Harness.core(provider, clock: clock)
    _ = try await core.quote(Symbol("JPM"))
    clock.advance(by: .seconds(30))  // past the TTL, within 60 s of staleness
    provider.respond { _ in throw ProviderError.timeout }
    let stale = try await core.quote(Symbol("JPM"))
    #expect(stale.isStale)
    #expect(stale.age == .seconds(30))
    await eventually { core.cacheStatistics()[0].refreshesInFlight == 0 }
    #expect(provider.callCount == 2)
    clock.advance(by: .seconds(60))  // past the staleness limit: gone from L1
    let before = provider.callCount
    let lastResort = try await core.quote(Symbol("JPM"))  // goes upstream, fails, falls back
    #expect(provider.callCount == before + 1)
    #expect(lastResort.origin == .lastKnown && lastResort.isStale)
    #expect(core.cacheStatistics()[0].expirations == 1)
  }

  @Test("a batch uses the provider's batch endpoint: one call per batch, not per symbol")
  func batches() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 1, clock: clock, capabilities: ProviderCapabilities(maximumBatchSize: 4))
    let core = Harness.core(provider, clock: clock)
    let symbols = try ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"].map { try Symbol(validating: $0) }
    let results = await core.quotes(symbols)
    #expect(results.count == 10)
    #expect(results.values.allSatisfy { (try? $0.get()) != nil })
    #expect(provider.callCount == 3)
    #expect(provider.calls.map(\.count).sorted() == [2, 4, 4])
    // All warm now: no further upstream calls.
    _ = await core.quotes(symbols)
    #expect(provider.callCount == 3)
  }

  @Test("a failing first choice falls back to the next priority; the error names both")
  func failover() async throws {
    let clock = ManualClock()
    let broken = ScriptedProvider(id: "broken") { _ in throw ProviderError.upstreamStatus(500) }
    let backup = ScriptedProvider(id: "backup", price: 3, clock: clock)
    let core = MarketDataCore(
      providers: [ProviderRegistration(broken, priority: 1), ProviderRegistration(backup, priority: 2)], clock: clock)
    let served = try await core.quote(Symbol("BA"))
    #expect(served.source == "backup")
    #expect(broken.callCount == 1)

    backup.respond { _ in throw ProviderError.timeout }
    do {
      _ = try await core.quote(Symbol("GME"))
      Issue.record("expected a failure")
    } catch {
      #expect(
        error
          == .allProvidersFailed(
            Symbol("GME"),
            failures: [
              ProviderFailure(provider: "broken", error: .upstreamStatus(500)),
              ProviderFailure(provider: "backup", error: .timeout),
            ]))
    }
  }

  @Test("unknown everywhere is remembered briefly, so a typo costs one upstream call")
  func unknownSymbol() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p") { symbols in [symbols[0]: .failure(.unknownSymbol(symbols[0]))] }
    let core = Harness.core(provider, clock: clock)
    await #expect(throws: ReadError.unknownSymbol(Symbol("APPL"))) { try await core.quote(Symbol("APPL")) }
    await #expect(throws: ReadError.unknownSymbol(Symbol("APPL"))) { try await core.quote(Symbol("APPL")) }
    #expect(provider.callCount == 1)
    clock.advance(by: .seconds(61))
    await #expect(throws: ReadError.unknownSymbol(Symbol("APPL"))) { try await core.quote(Symbol("APPL")) }
    #expect(provider.callCount == 2)
  }

  @Test("invalid text is a typed error before any provider is asked")
  func invalidText() async {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", clock: clock)
    let core = Harness.core(provider, clock: clock)
    await #expect(throws: ReadError.invalidSymbol(.invalidCharacter("'/'", position: 3))) {
      try await core.quote(text: "../etc")
    }
    #expect(provider.callCount == 0)
  }

  @Test("no provider that serves the symbol: the error lists why each was skipped")
  func noProvider() async {
    let clock = ManualClock()
    let usOnly = ScriptedProvider(
      id: "us", capabilities: ProviderCapabilities(assetClasses: [.equity], exchanges: .unitedStatesOnly)
    ) { _ in [:] }
    let tripped = ScriptedProvider(id: "tripped", price: 1, clock: clock)
    let core = MarketDataCore(
      providers: [ProviderRegistration(usOnly), ProviderRegistration(tripped, priority: 2)], clock: clock)
    try? core.tripProvider("tripped")
    await #expect(
      throws: ReadError.noProviderAvailable(
        Symbol("0700.HK"),
        skipped: [
          ProviderSkip(provider: "us", reason: .cannotServe), ProviderSkip(provider: "tripped", reason: .forcedOpen),
        ])
    ) { try await core.quote(Symbol("0700.HK")) }
    #expect(tripped.callCount == 0)
    try? core.resetProvider("tripped")
    let served = try? await core.quote(Symbol("0700.HK"))
    #expect(served?.source == "tripped")
    #expect(throws: OperatorError.unknownProvider("nope")) { try core.tripProvider("nope") }
  }

  @Test("invalidation by key, prefix and all; each is an event and reaches the hooks")
  func invalidation() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 1, clock: clock)
    let core = Harness.core(provider, clock: clock)
    let heard = Recorder<InvalidationScope>()
    core.onOperatorAction { action in if case .invalidate(let scope) = action { heard.append(scope) } }
    _ = await core.quotes([Symbol("BTC-USD"), Symbol("BTC-EUR"), Symbol("ETH-USD"), Symbol("AAPL")])
    #expect(core.invalidate(.prefix("v1:quote:BTC")) == 2)
    #expect(core.invalidate(.key(CacheKey(.quote, Symbol("AAPL")))) == 1)
    #expect(core.invalidate(.all) == 1)
    #expect(heard.values == [.prefix("v1:quote:BTC"), .key(CacheKey(.quote, Symbol("AAPL"))), .all])
    let invalidations = core.recentEvents.filter {
      if case .cacheInvalidated = $0.kind { return true } else { return false }
    }
    #expect(invalidations.count == 3)
    _ = try await core.quote(Symbol("AAPL"))
    #expect(provider.callCount == 5)  // four single-symbol calls, then AAPL again after invalidation
  }

  @Test("the refresh loop keeps active watchlist symbols fresh, batching per provider, and follows edits")
  func refreshLoop() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 1, clock: clock, capabilities: ProviderCapabilities(maximumBatchSize: 50))
    var configuration = CoreConfiguration()
    configuration.watchlists = [
      .luDongbin: Watchlist(symbols: [Symbol("AAPL"), Symbol("NVDA")]), .heXiangu: Watchlist(symbols: [Symbol("SPY")]),
    ]
    for id in ImmortalID.allCases where configuration.watchlists[id] == nil {
      configuration.watchlists[id] = Watchlist(symbols: [])
    }
    configuration.refreshInterval = .seconds(2)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
    let loop = Task { await RefreshLoop(core: core).run() }
    await clock.waitForSleepers(1)
    #expect(provider.calls.map { Set($0) } == [Set([Symbol("AAPL"), Symbol("NVDA"), Symbol("SPY")])])
    try core.editWatchlist(.luDongbin, .toggle(Symbol("NVDA")))
    clock.advance(by: .seconds(2))
    await eventually { provider.callCount == 2 }
    #expect(provider.calls.last.map { Set($0) } == Set([Symbol("AAPL"), Symbol("SPY")]))
    loop.cancel()
    await loop.value
  }

  @Test("updates stream carries new quotes and operator events")
  func updates() async throws {
    let clock = ManualClock()
    let core = Harness.core(ScriptedProvider(id: "p", price: 5, clock: clock), clock: clock)
    let stream = core.updates()
    _ = try await core.quote(Symbol("KO"))
    try core.tripProvider("p")
    var iterator = stream.makeAsyncIterator()
    guard case .quoteUpdated(let served)? = await iterator.next()?.kind else {
      Issue.record("expected a quote update first")
      return
    }
    #expect(served.quote.price == 5)
    guard case .operatorAction(let text)? = await iterator.next()?.kind else {
      Issue.record("expected the operator action")
      return
    }
    #expect(text.contains("tripped"))
  }
}

extension Harness {
  static func core(_ provider: ScriptedProvider, clock: ManualClock) -> MarketDataCore {
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.5, maximumStaleness: .seconds(60))
    return MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
  }
}

@Suite("Last-resort serving")
struct LastResortTests {
  @Test("when every provider fails, the last known value is served, marked stale, from its source")
  func lastKnownWhenAllFail() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 9, clock: clock)
    let core = Harness.core(provider, clock: clock)
    _ = try await core.quote(Symbol("INTC"))
    clock.advance(by: .seconds(600))  // far past TTL and staleness: L1 has let it go
    provider.respond { _ in throw ProviderError.upstreamStatus(502) }
    let served = try await core.quote(Symbol("INTC"))
    #expect(served.isStale)
    #expect(served.origin == .lastKnown)
    #expect(served.source == "p")
    #expect(served.quote.price == 9)
    #expect(served.age == .seconds(600))
    let batch = await core.quotes([Symbol("INTC")])
    #expect((try? batch[Symbol("INTC")]?.get())?.origin == .lastKnown)
    // Never seen: the error stands.
    await #expect(throws: ReadError.self) { try await core.quote(Symbol("AMD")) }
  }

  @Test("a tripped only provider still leaves the last value available, stale")
  func lastKnownWhenTripped() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 4, clock: clock)
    let core = Harness.core(provider, clock: clock)
    _ = try await core.quote(Symbol("KO"))
    try core.tripProvider("p")
    clock.advance(by: .seconds(600))
    let served = try await core.quote(Symbol("KO"))
    #expect(served.origin == .lastKnown && served.isStale)
    #expect(core.lastKnown(Symbol("KO"))?.isStale == true)
  }
}
