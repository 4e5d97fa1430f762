import Foundation
import GRDB
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// History blocks and profiles in the SQLite tier: kept exactly, across restarts, dropped
/// exactly as scopes say, evicted least recently used first past the cap.
@Suite struct SQLiteHistoryTests {
  static let aapl = Symbol("AAPL")

  /// Three months of daily blocks, a day of minute bars, and an empty block (a weekend day of
  /// an equity's minute bars).
  static func blocks(_ symbol: Symbol = aapl) -> [BarBlock] {
    var weekend = sampleBlock(symbol, .oneMinute, containing: historyOrigin - 2 * 86_400)
    weekend.bars = []
    return [
      sampleBlock(symbol, containing: historyOrigin - 100 * 86_400),
      sampleBlock(symbol, containing: historyOrigin - 70 * 86_400, source: "stooq"),
      sampleBlock(symbol, containing: historyOrigin - 40 * 86_400),
      sampleBlock(symbol, .oneMinute, containing: historyOrigin - 6 * 86_400),
      weekend,
    ]
  }

  static func stored(_ tier: SQLiteQuoteTier, _ blocks: [BarBlock]) async -> [HistoryBlock: BarBlock] {
    await tier.load(blocks.map(\.block))
  }

  @Test func blocksComeBackExactlyAsStored() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    let blocks = Self.blocks()
    tier.store(blocks)
    await tier.flush()
    let found = await Self.stored(tier, blocks)
    #expect(found.count == blocks.count)
    for block in blocks { #expect(found[block.block] == block) }
    #expect(tier.storedHistory.blocks == 5)
    #expect(tier.storedHistory.bars == blocks.reduce(0) { $0 + $1.bars.count })
    #expect(tier.statistics.entries == 5)
    #expect(tier.statistics.hits == 5)

    // Blocks never stored, and a span that is not the stored block's, are absent.
    let other = calendarBlock(Self.aapl, .oneDay, containing: historyOrigin - 400 * 86_400)
    let stored = blocks[0].block
    let wrongSpan = HistoryBlock(symbol: stored.symbol, interval: stored.interval, start: stored.start, end: stored.end + 1)
    let weekly = calendarBlock(Self.aapl, .oneWeek, containing: stored.start)
    #expect(await tier.load([other, wrongSpan, weekly]).isEmpty)
  }

  @Test func storingABlockAgainReplacesItsBarsAndCoverage() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    var block = sampleBlock(Self.aapl)
    tier.store([block])
    await tier.flush()
    block.bars.removeLast(3)
    block.bars[0].close += 0.5
    block.bars[0].high += 0.5
    block.source = "fmp"
    tier.store([block])
    await tier.flush()
    #expect(await tier.load([block.block]) == [block.block: block])
    #expect(tier.storedHistory == (blocks: 1, bars: block.bars.count))
  }

  @Test func aRestartReadsBackIdenticalBarsAndProfiles() async throws {
    let scratch = SQLiteScratch()
    let blocks = Self.blocks()
    let profile = sampleProfile(Self.aapl)
    do {
      let tier = try scratch.tier()
      tier.store(blocks)
      tier.storeProfiles([profile])
      await tier.flush()
    }
    let reopened = try scratch.tier()
    let found = await Self.stored(reopened, blocks)
    for block in blocks { #expect(found[block.block] == block) }
    #expect(await reopened.loadProfiles([Self.aapl, Symbol("MSFT")]) == [Self.aapl: profile])
    #expect(reopened.storedHistory.bars == blocks.reduce(0) { $0 + $1.bars.count })
    #expect(reopened.statistics.entries == blocks.count + 1)
  }

  @Test func aBlockThatCannotBeRightIsNotKept() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    var bad = sampleBlock(Self.aapl)
    bad.bars[2].close = .nan
    let good = sampleBlock(Symbol("MSFT"))
    tier.store([bad, good])
    await tier.flush()
    #expect(await tier.load([bad.block, good.block]) == [good.block: good])
    #expect(tier.statistics.unavailable == nil, "one bad block does not fail the batch")
  }

  @Test func rowsLostBehindTheTiersBackMakeTheBlockUnreadableNotShort() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    let block = sampleBlock(Self.aapl)
    let neighbour = sampleBlock(Self.aapl, containing: historyOrigin - 70 * 86_400)
    tier.store([block, neighbour])
    await tier.flush()
    try await tier.pool.write { db in
      try db.execute(sql: "DELETE FROM history_bar WHERE time = ?", arguments: [block.bars[3].start])
      try db.execute(
        sql: "UPDATE history_bar SET close = 'garbage' WHERE time = ?", arguments: [neighbour.bars[1].start])
    }
    #expect(await tier.load([block.block, neighbour.block]).isEmpty)
    #expect(tier.unreadableEntries == 2)
  }

  // MARK: Invalidation

  /// Blocks, quotes and profiles of symbols that are prefixes of one another.
  static let neighbours = [Symbol("BA"), Symbol("BABA"), Symbol("BTC"), Symbol("BTC-USD"), Symbol("V"), Symbol("VTI")]

  /// What survives of each neighbour's blocks, quote and profile after `scopes`.
  static func survivors(after scopes: [InvalidationScope], flushFirst: Bool = true) async throws -> [String] {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    var stored: [BarBlock] = []
    for symbol in neighbours {
      let daily = sampleBlock(symbol)
      let minutes = sampleBlock(symbol, .oneMinute, containing: historyOrigin - 6 * 86_400, bars: 30)
      stored += [daily, minutes]
      tier.store([daily, minutes])
      tier.store([sqliteQuote(symbol, 10)])
      tier.storeProfiles([sampleProfile(symbol)])
    }
    if flushFirst { await tier.flush() }
    for scope in scopes { tier.invalidate(scope) }
    // Hidden at once, before the writer ran, and gone for good after it.
    var rounds: [[String]] = []
    for _ in 0..<2 {
      var left: [String] = []
      let blocks = await tier.load(stored.map(\.block))
      let quotes = await tier.load(neighbours)
      let profiles = await tier.loadProfiles(neighbours)
      for symbol in neighbours {
        for interval in [BarInterval.oneDay, .oneMinute]
        where blocks.keys.contains(where: { $0.symbol == symbol && $0.interval == interval }) {
          left.append("\(symbol) \(interval)")
        }
        if quotes[symbol] != nil { left.append("\(symbol) quote") }
        if profiles[symbol] != nil { left.append("\(symbol) profile") }
      }
      rounds.append(left)
      await tier.flush()
    }
    if flushFirst { #expect(rounds[0] == rounds[1], "what reads hid before the writer ran is what it deleted") }
    let reopened = try scratch.tier()
    let afterRestart = await reopened.load(stored.map(\.block))
    #expect(
      Set(afterRestart.keys.map { "\($0.symbol) \($0.interval)" })
        == Set(rounds[1].filter { $0.hasSuffix("1d") || $0.hasSuffix("1m") }))
    #expect(reopened.storedHistory.blocks == afterRestart.count)
    return rounds[1]
  }

  static func everything(but gone: [String]) -> [String] {
    var all: [String] = []
    for symbol in neighbours {
      all += ["\(symbol) 1d", "\(symbol) 1m", "\(symbol) quote", "\(symbol) profile"]
    }
    return all.filter { !gone.contains($0) }
  }

  @Test(arguments: [true, false])
  func aSymbolScopeTakesEveryKindOfExactlyThatSymbol(flushFirst: Bool) async throws {
    let left = try await Self.survivors(after: [.symbol(Symbol("BA")), .symbol(Symbol("BTC"))], flushFirst: flushFirst)
    #expect(
      left == Self.everything(but: ["BA 1d", "BA 1m", "BA quote", "BA profile", "BTC 1d", "BTC 1m", "BTC quote", "BTC profile"]))
  }

  @Test func aKeyScopeTakesOneBlock() async throws {
    let block = calendarBlock(Symbol("BTC"), .oneDay, containing: historyOrigin - 40 * 86_400)
    let left = try await Self.survivors(after: [.key(block.key), .key(CacheKey(.profile, Symbol("V")))])
    #expect(left == Self.everything(but: ["BTC 1d", "V profile"]))
  }

  @Test func prefixScopesMatchTheKeyText() async throws {
    #expect(try await Self.survivors(after: [.prefix("v1:history:BTC-USD:1m")]) == Self.everything(but: ["BTC-USD 1m"]))
    #expect(
      try await Self.survivors(after: [.prefix("v1:history:BA")])
        == Self.everything(but: ["BA 1d", "BA 1m", "BABA 1d", "BABA 1m"]))
    #expect(
      try await Self.survivors(after: [.prefix("v1:history:V:")]) == Self.everything(but: ["V 1d", "V 1m"]), "V: is not VTI")
    #expect(
      try await Self.survivors(after: [.prefix("v1:profile:B")])
        == Self.everything(but: ["BA profile", "BABA profile", "BTC profile", "BTC-USD profile"]))
    let histories = Self.neighbours.flatMap { ["\($0) 1d", "\($0) 1m"] }
    #expect(try await Self.survivors(after: [.prefix("v1:history:")]) == Self.everything(but: histories))
    #expect(try await Self.survivors(after: [.prefix("v2:")]) == Self.everything(but: []))
    #expect(try await Self.survivors(after: [.all]) == [])
  }

  // MARK: Eviction

  @Test func pastTheCapTheLeastRecentlyReadSeriesGoWhole() async throws {
    let scratch = SQLiteScratch()
    let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: TimeInterval(historyOrigin)))
    // Each series is two daily blocks of about 22 bars; the cap holds about four series.
    var options = SQLiteQuoteTier.Options()
    options.maximumHistoryBars = 190
    let tier = try scratch.tier(options, clock: clock)
    func series(_ text: StaticString) -> [BarBlock] {
      let symbol = Symbol(text)
      return [
        sampleBlock(symbol, containing: historyOrigin - 70 * 86_400),
        sampleBlock(symbol, containing: historyOrigin - 40 * 86_400),
      ]
    }
    let a = series("A")
    let b = series("B")
    let c = series("C")
    let d = series("D")
    for blocks in [a, b, c, d] {
      tier.store(blocks)
      await tier.flush()
      clock.advance(by: .seconds(60))
    }
    #expect(tier.storedHistory.blocks == 8)
    // A is read: B is now the least recently used.
    #expect(await tier.load(a.map(\.block)).count == 2)
    clock.advance(by: .seconds(60))
    tier.store(series("E"))
    await tier.flush()
    let kept = await tier.load((a + b + c + d + series("E")).map(\.block))
    #expect(Set(kept.keys.map(\.symbol.text)) == ["A", "D", "E"], "B then C went, down to 90 % of the cap")
    #expect(tier.storedHistory.bars <= 171)
    #expect(tier.statistics.evictions == 4)

    // The accounting survives a restart.
    let reopened = try scratch.tier(options, clock: clock)
    #expect(reopened.storedHistory == tier.storedHistory)
  }

  @Test func oneSeriesLargerThanTheCapStaysAlone() async throws {
    let scratch = SQLiteScratch()
    var options = SQLiteQuoteTier.Options()
    options.maximumHistoryBars = 100
    let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: TimeInterval(historyOrigin)))
    let tier = try scratch.tier(options, clock: clock)
    let old = sampleBlock(Symbol("KO"), bars: 10)
    let large = sampleBlock(Symbol("BTC-USD"), .oneMinute, containing: historyOrigin, bars: 500)
    tier.store([old])
    await tier.flush()
    clock.advance(by: .seconds(1))
    tier.store([large])
    await tier.flush()
    #expect(await tier.load([old.block, large.block]) == [large.block: large])
  }

  // MARK: Schema

  @Test func aFileOfTheQuoteTiersSecondSchemaMigratesAndKeepsItsQuotes() async throws {
    let scratch = SQLiteScratch()
    let quote = sqliteQuote(Symbol("NVDA"), 181.5)
    try FileManager.default.createDirectory(
      atPath: (scratch.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    do {
      let old = try DatabasePool(path: scratch.path)
      try SQLiteQuoteTier.makeMigrator().migrate(old, upTo: "v2-tick-history")
      try await old.write { db in
        try db.execute(
          sql: "INSERT INTO last_quote(symbol, entry, received_at) VALUES (?, ?, ?)",
          arguments: [quote.symbol.text, Data(QuoteEntryCodec.encode(quote, compressAbove: .max)), 0])
        try db.execute(
          sql: "INSERT INTO tick(symbol, as_of, price) VALUES (?, ?, ?)",
          arguments: [quote.symbol.text, QuoteEntryCodec.microseconds(quote.asOf), quote.price])
      }
    }
    let tier = try scratch.tier()
    #expect(await tier.load([quote.symbol]) == [quote.symbol: quote])
    #expect(await tier.history([quote.symbol], limit: 5)[quote.symbol]?.map(\.price) == [181.5])
    let blocks = Self.blocks(quote.symbol)
    tier.store(blocks)
    tier.storeProfiles([sampleProfile(quote.symbol)])
    await tier.flush()
    #expect(await Self.stored(tier, blocks).count == blocks.count)
    #expect(await tier.loadProfiles([quote.symbol]).count == 1)
    let tables = try await tier.pool.read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'history%' ORDER BY name")
    }
    #expect(tables == ["history_bar", "history_block", "history_series"])
    let withoutRowID = try await tier.pool.read { db in
      try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'history_bar'")
    }
    #expect(withoutRowID?.contains("WITHOUT ROWID") == true)
  }
}
