import MarketCore
import MarketTesting
import Testing

@Suite("Predictive prefetch")
struct PrefetcherTests {
  func at(_ seconds: Int64) -> MarketInstant { MarketInstant(nanoseconds: seconds * 1_000_000_000) }

  @Test("a symbol read aged three times within the window becomes hot, then cools down")
  func hotAndCool() {
    var configuration = Prefetcher.Configuration()
    configuration.hotAfterReads = 3
    configuration.window = .seconds(60)
    configuration.keepHotFor = .seconds(600)
    let prefetcher = Prefetcher(configuration)
    let symbol = Symbol("HOOD")
    prefetcher.noteAged(symbol, at: at(0))
    prefetcher.noteAged(symbol, at: at(70))  // the first read fell out of the window
    prefetcher.noteAged(symbol, at: at(80))
    #expect(prefetcher.hotSymbols(at: at(80)).isEmpty)
    prefetcher.noteAged(symbol, at: at(90))
    #expect(prefetcher.hotSymbols(at: at(90)) == [symbol])
    #expect(prefetcher.hotSymbols(at: at(689)) == [symbol])
    #expect(prefetcher.hotSymbols(at: at(690)).isEmpty)
    #expect(prefetcher.statistics.promotions == 1)
  }

  @Test("at most maximumHotSymbols are hot; the one read least recently makes room")
  func bounded() {
    var configuration = Prefetcher.Configuration()
    configuration.hotAfterReads = 1
    configuration.maximumHotSymbols = 2
    let prefetcher = Prefetcher(configuration)
    prefetcher.noteAged(Symbol("A"), at: at(0))
    prefetcher.noteAged(Symbol("B"), at: at(1))
    prefetcher.noteAged(Symbol("C"), at: at(2))
    #expect(prefetcher.hotSymbols(at: at(3)) == [Symbol("B"), Symbol("C")])
  }

  @Test("disabled, it never marks anything hot and warms nothing")
  func disabled() {
    var configuration = Prefetcher.Configuration()
    configuration.enabled = false
    configuration.hotAfterReads = 1
    configuration.relatedGroups = [Symbol("NVDA"): [Symbol("AMD")]]
    let prefetcher = Prefetcher(configuration)
    prefetcher.noteAged(Symbol("A"), at: at(0))
    #expect(prefetcher.hotSymbols(at: at(0)).isEmpty)
    #expect(prefetcher.related(to: Symbol("NVDA")).isEmpty)
  }

  @Test("through the core: hot symbols join the refresh; a miss on NVDA warms its related group")
  func throughTheCore() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", clock: clock)
    var configuration = CoreConfiguration()
    configuration.prefetch.hotAfterReads = 2
    configuration.prefetch.relatedGroups = [Symbol("NVDA"): [Symbol("TSM"), Symbol("AMD")]]
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
    #expect(!core.symbolsToRefresh.contains(Symbol("HOOD")))
    _ = try await core.quote(Symbol("HOOD"))  // a miss
    clock.advance(by: .seconds(12))
    _ = try await core.quote(Symbol("HOOD"))  // stale: the second aged read
    #expect(core.symbolsToRefresh.contains(Symbol("HOOD")))

    _ = try await core.quote(Symbol("NVDA"))
    await eventually { core.lastKnown(Symbol("TSM")) != nil && core.lastKnown(Symbol("AMD")) != nil }
    #expect(core.lastKnown(Symbol("TSM")) != nil)
    #expect(core.lastKnown(Symbol("AMD")) != nil)
    #expect(core.status().prefetch.relatedWarms == 2)
  }
}
