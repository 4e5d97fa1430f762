import Foundation
import Logging
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// Blocks of bars and profiles in Redis, against a real `redis-server`: shared between
/// instances, kept as long as their freshness allows, dropped exactly, and nothing at once
/// when Redis is down.
@Suite struct RedisHistoryTests {
  static let logger = Logger(label: "test.redis-history")

  /// A tier on its own prefix whose writer runs for the duration of `body`.
  func withTier(
    _ server: RedisServer, clock: ManualClock = ManualClock(wallOrigin: Date(timeIntervalSince1970: TimeInterval(historyOrigin))),
    _ body: (RedisClient, RedisQuoteTier, _ another: () -> RedisQuoteTier) async throws -> Void
  ) async throws {
    try await withRedisClient(server: server) { client in
      var options = RedisQuoteTier.Options()
      options.prefix = "h\(UInt32.random(in: 0...UInt32.max)):"
      let make = { RedisQuoteTier(client: client, options: options, clock: clock, logger: Self.logger) }
      let tier = make()
      let writer = Task { try await tier.run() }
      defer { writer.cancel() }
      try await body(client, tier, make)
    }
  }

  @Test func blocksAndProfilesOneInstanceStoredAreReadByAnotherExactly() async throws {
    let server = try await RedisServer()
    try await withTier(server) { client, tier, another in
      // A settled October and the current month, whose last bars may still change.
      let settled = sampleBlock(Symbol("AAPL"))
      let current = sampleBlock(Symbol("AAPL"), containing: historyOrigin + 3_600, bars: 1)
      let minutes = sampleBlock(Symbol("BTC-USD"), .oneMinute, containing: historyOrigin - 86_400)
      let profile = sampleProfile(Symbol("AAPL"))
      tier.store([settled, current, minutes])
      tier.storeProfiles([profile])
      await tier.flush()

      let other = another()
      let found = await other.load([
        settled.block, current.block, minutes.block, calendarBlock(Symbol("KO"), .oneDay, containing: 0),
      ])
      #expect(found == [settled.block: settled, current.block: current, minutes.block: minutes])
      #expect(await other.loadProfiles([Symbol("AAPL"), Symbol("KO")]) == [Symbol("AAPL"): profile])
      #expect(other.statistics.hits == 4)
      #expect(other.statistics.misses == 2)

      let settledLifetime = try await client.pttl(tier.key(for: settled.block))
      let currentLifetime = try await client.pttl(tier.key(for: current.block))
      let profileLifetime = try await client.pttl(tier.profileKey(for: Symbol("AAPL")))
      #expect(settledLifetime > 6 * 86_400_000 && settledLifetime <= 7 * 86_400_000)
      #expect(currentLifetime > 0 && currentLifetime <= 3_660_000)
      #expect(profileLifetime > 7 * 86_400_000)
      #expect(tier.key(for: settled.block).hasSuffix(":v1:history:AAPL:1d:\(settled.block.start)"))
    }
  }

  @Test func anEntryThatIsNotTheBlockAskedForIsSkippedAndCounted() async throws {
    let server = try await RedisServer()
    try await withTier(server) { client, tier, _ in
      let wanted = sampleBlock(Symbol("MSFT"))
      let other = sampleBlock(Symbol("MSFT"), containing: historyOrigin - 70 * 86_400)
      try await client.set(tier.key(for: wanted.block), BarBlockCodec.encode(other, compressAbove: 0), expiresIn: .seconds(60))
      try await client.set(tier.profileKey(for: Symbol("MSFT")), Array("garbage".utf8), expiresIn: .seconds(60))
      #expect(await tier.load([wanted.block]).isEmpty)
      #expect(await tier.loadProfiles([Symbol("MSFT")]).isEmpty)
      #expect(tier.problems.unreadableEntries == 2)
    }
  }

  @Test func aSymbolScopeRemovesEveryKindOfExactlyThatSymbol() async throws {
    let server = try await RedisServer()
    try await withTier(server) { client, tier, _ in
      let symbols = try ["BA", "BABA", "BTC", "BTC-USD", "1735689600"].map { try Symbol(validating: $0) }
      var keys: [Symbol: [String]] = [:]
      for symbol in symbols {
        let daily = sampleBlock(symbol, containing: 1_735_689_600)
        let minutes = sampleBlock(symbol, .oneMinute, containing: historyOrigin, bars: 5)
        tier.store([sqliteQuote(symbol, 10)])
        tier.store([daily, minutes])
        tier.storeProfiles([sampleProfile(symbol)])
        keys[symbol] = [
          tier.key(for: symbol), tier.key(for: daily.block), tier.key(for: minutes.block), tier.profileKey(for: symbol),
        ]
      }
      // Not BA's keys, though they look alike: lower case is not a canonical symbol, and
      // another prefix is another deployment.
      try await client.set(tier.options.prefix + "v1:quote:ba", [1], expiresIn: .seconds(60))
      try await client.set("other:v1:quote:BA", [1], expiresIn: .seconds(60))
      tier.invalidate(.symbol(Symbol("BA")))
      tier.invalidate(.symbol(Symbol("BTC")))
      // A symbol that is all digits, like a block start in other keys.
      tier.invalidate(.symbol(Symbol("1735689600")))
      await tier.flush()
      for symbol in symbols {
        let present = try await client.mget(keys[symbol] ?? []).map { $0 != nil }
        let gone = ["BA", "BTC", "1735689600"].contains(symbol.text)
        #expect(present == Array(repeating: !gone, count: 4), "\(symbol)")
      }
      #expect(try await client.get(tier.options.prefix + "v1:quote:ba") != nil)
      #expect(try await client.get("other:v1:quote:BA") != nil)
      _ = try await client.delete(["other:v1:quote:BA"])

      tier.invalidate(.key(calendarBlock(Symbol("BABA"), .oneMinute, containing: historyOrigin).key))
      tier.invalidate(.prefix("v1:history:BTC-USD:1d"))
      await tier.flush()
      let baba = keys[Symbol("BABA")] ?? []
      let btc = keys[Symbol("BTC-USD")] ?? []
      #expect(try await client.mget(baba).map { $0 != nil } == [true, true, false, true])
      #expect(try await client.mget(btc).map { $0 != nil } == [true, false, true, true])
    }
  }

  @Test func whileRedisIsDownReadsAnswerNothingAtOnceAndNothingBreaks() async throws {
    let server = try await RedisServer()
    try await withTier(server) { client, tier, _ in
      let block = sampleBlock(Symbol("AAPL"))
      tier.store([block])
      await tier.flush()
      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      #expect(await tier.load([block.block]).isEmpty)
      #expect(await tier.loadProfiles([Symbol("AAPL")]).isEmpty)
      #expect(tier.statistics.unavailable != nil)
      tier.store([sampleBlock(Symbol("KO"))])
      tier.invalidate(.symbol(Symbol("AAPL")))
      await tier.flush()
      #expect(client.statistics.timeouts == 0, "nothing waited on a dead connection")
    }
  }

  @Test func withRedisDownACoreReadsHistoryAndProfilesFromSQLiteWithoutAProviderCall() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: HistoryRestartTests.origin)
    let scratch = SQLiteScratch()
    let sqlite = try scratch.tier(clock: clock)
    let request = try HistoryRequest(symbol: Symbol("AAPL"), interval: .oneDay, window: .range(.sixMonths))
    try await withTier(server, clock: clock) { client, redis, _ in
      let first = ScriptedHistoryProvider(id: "first", clock: clock)
      let warm = MarketDataCore(providers: [ProviderRegistration(first)], clock: clock, tiers: [redis, sqlite])
      let fetched = try await warm.history(request)
      _ = try await warm.profile(Symbol("AAPL"))
      await redis.flush()
      await sqlite.flush()
      #expect(first.callCount == 1)

      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      // A new process: empty memory, Redis first in the walk but down.
      let second = ScriptedHistoryProvider(id: "second", clock: clock)
      let core = MarketDataCore(providers: [ProviderRegistration(second)], clock: clock, tiers: [redis, sqlite])
      let served = try await core.history(request)
      let profile = try await core.profile(Symbol("AAPL"))
      #expect(served.origin == .sharedTier)
      #expect(served.value.bars == fetched.value.bars)
      #expect(profile.value.source == "first")
      #expect(second.callCount == 0)
      #expect(second.profileCalls.isEmpty)
      #expect(redis.statistics.unavailable != nil)
      #expect(client.statistics.timeouts == 0, "the dead tier answered at once")
    }
  }
}
