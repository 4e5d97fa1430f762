import Foundation
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// History through the core with the SQLite tier: a new process on the same file serves
/// settled blocks from it and asks a provider only for the block still being written.
@Suite struct HistoryRestartTests {
  /// 2025-11-29 00:00 UTC, a Saturday.
  static let origin = Date(timeIntervalSince1970: 1_764_374_400)

  static func process(
    _ scratch: SQLiteScratch, clock: ManualClock, id: ProviderID
  ) throws -> (core: MarketDataCore, tier: SQLiteQuoteTier, provider: ScriptedHistoryProvider) {
    let tier = try scratch.tier(clock: clock)
    let provider = ScriptedHistoryProvider(id: id, clock: clock)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock, tiers: [tier])
    return (core, tier, provider)
  }

  @Test func afterARestartSettledBlocksMakeNoProviderCall() async throws {
    let scratch = SQLiteScratch()
    let clock = ManualClock(wallOrigin: Self.origin)
    let request = try HistoryRequest(symbol: Symbol("AAPL"), interval: .oneDay, window: .range(.oneYear))
    let first: Served<HistorySeries>
    do {
      let run = try Self.process(scratch, clock: clock, id: "first")
      first = try await run.core.history(request)
      #expect(run.provider.callCount == 1)
      await run.tier.flush()
    }
    #expect(first.value.bars.count > 250)

    // Seconds later: every block, the current one too, is young enough to serve.
    clock.advance(by: .seconds(10))
    do {
      let run = try Self.process(scratch, clock: clock, id: "second")
      let served = try await run.core.history(request)
      #expect(run.provider.callCount == 0)
      #expect(served.origin == .sharedTier)
      #expect(served.value.bars == first.value.bars)
      #expect(served.value.sources == ["first"])
    }

    // An hour later: only the current month is past its refresh point and asked again.
    clock.advance(by: .seconds(3_600))
    let run = try Self.process(scratch, clock: clock, id: "third")
    let served = try await run.core.history(request)
    let current = HistoryBlock.covering(
      Symbol("AAPL"), .oneDay, from: Int64(Self.origin.timeIntervalSince1970), to: Int64(Self.origin.timeIntervalSince1970) + 1)
    #expect(run.provider.calls.map(\.from) == current.map(\.start))
    #expect(served.value.bars == first.value.bars)
    #expect(Set(served.value.sources) == ["first", "third"])
  }

  @Test func profilesSurviveARestartToo() async throws {
    let scratch = SQLiteScratch()
    let clock = ManualClock(wallOrigin: Self.origin)
    do {
      let run = try Self.process(scratch, clock: clock, id: "first")
      _ = try await run.core.profile(Symbol("NVDA"))
      await run.tier.flush()
    }
    clock.advance(by: .seconds(3_600))
    let run = try Self.process(scratch, clock: clock, id: "second")
    let served = try await run.core.profile(Symbol("NVDA"))
    #expect(run.provider.profileCalls.isEmpty)
    #expect(served.value.source == "first")
  }
}
