import Foundation
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// A restart with the SQLite tier, through the core: the last values show at once, marked
/// stale, and the first refresh replaces them.
@Suite struct SQLiteRestartTests {
  @Test func aRestartShowsTheLastValuesStaleUntilRefreshed() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-restart-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("cache.sqlite").path
    // Whole seconds: the tier keeps microseconds, and ages below compare exactly.
    let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
    let symbols = [Symbol("AAPL"), Symbol("NVDA")]

    // First run: fetch and keep.
    do {
      let tier = try SQLiteQuoteTier(path: path, clock: clock)
      let core = MarketDataCore(
        providers: [ProviderRegistration(ScriptedProvider(id: "first", price: 100, clock: clock))], clock: clock, tiers: [tier])
      _ = await core.quotes(symbols)
      await tier.flush()
    }

    // An hour later, a new process on the same file.
    clock.advance(by: .seconds(3600))
    let tier = try SQLiteQuoteTier(path: path, clock: clock)
    let upstream = ScriptedProvider(id: "second", price: 101, clock: clock)
    let core = MarketDataCore(providers: [ProviderRegistration(upstream)], clock: clock, tiers: [tier])
    #expect(await core.warm(symbols) == 2)
    #expect(upstream.callCount == 0)
    let shown = try #require(core.lastKnown(Symbol("AAPL")))
    #expect(shown.isStale)
    #expect(shown.quote.price == 100)
    #expect(shown.quote.source == "first")
    #expect(shown.age == .seconds(3600))

    await core.refresh(symbols)
    let refreshed = try #require(core.lastKnown(Symbol("AAPL")))
    #expect(!refreshed.isStale)
    #expect(refreshed.quote.price == 101)
    await tier.flush()
    #expect(await tier.history([Symbol("AAPL")], limit: 10)[Symbol("AAPL")]?.map(\.price) == [100, 101])
  }
}
