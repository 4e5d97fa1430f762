import Foundation
import GRDB
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// A directory of its own for each test, removed when the test is done with it.
final class SQLiteScratch {
  let directory: URL

  init() {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-sqlite-\(UUID().uuidString)")
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  /// A database path in a directory that does not exist yet: the tier creates it.
  var path: String { directory.appendingPathComponent("state/quotes.sqlite").path }

  func tier(
    _ options: SQLiteQuoteTier.Options = .init(), clock: ManualClock = ManualClock()
  ) throws -> SQLiteQuoteTier {
    try SQLiteQuoteTier(path: path, options: options, clock: clock)
  }
}

/// Quotes whose times are whole microseconds, as the tier keeps them, so they compare equal
/// after a round trip.
func sqliteQuote(
  _ symbol: Symbol, _ price: Double, asOf seconds: Int64 = 1_764_374_400, receivedAt: Int64? = nil,
  source: ProviderID = "yahoo"
) -> Quote {
  Quote(
    symbol: symbol, price: price, change: 0.5, changePercent: 0.25, volume: 1_000, currency: "USD",
    asOf: QuoteEntryCodec.date(microseconds: seconds * 1_000_000),
    receivedAt: QuoteEntryCodec.date(microseconds: (receivedAt ?? seconds) * 1_000_000 + 250), source: source,
    isSimulated: false)
}

@Suite struct SQLiteQuoteTierTests {
  let aapl = Symbol("AAPL")
  let amd = Symbol("AMD")
  let vix = Symbol("^VIX")
  let btc = Symbol("BTC-USD")
  let btcEuro = Symbol("BTC-EUR")
  let moutai = Symbol("600519.SS")

  @Test func aRestartKeepsTheLastValues() async throws {
    let scratch = SQLiteScratch()
    do {
      let tier = try scratch.tier()
      tier.store([sqliteQuote(aapl, 230, asOf: 100), sqliteQuote(vix, 16.2, asOf: 101)])
      tier.store([sqliteQuote(aapl, 231.5, asOf: 102), sqliteQuote(moutai, 1442, asOf: 103)])
      await tier.flush()
    }
    let reopened = try scratch.tier()
    let loaded = await reopened.load([aapl, vix, moutai, amd])
    #expect(
      loaded == [
        aapl: sqliteQuote(aapl, 231.5, asOf: 102), vix: sqliteQuote(vix, 16.2, asOf: 101),
        moutai: sqliteQuote(moutai, 1442, asOf: 103),
      ])
    let warm = await reopened.lastQuotes(limit: 10)
    #expect(warm.map(\.symbol) == [moutai, aapl, vix], "newest first")
    #expect(await reopened.lastQuotes(limit: 2).map(\.symbol) == [moutai, aapl])
    let statistics = reopened.statistics
    #expect(statistics.tier == "sqlite")
    #expect(statistics.entries == 3)
    #expect(statistics.bytes > 0)
    #expect(statistics.hits == 3)
    #expect(statistics.misses == 1)
    #expect(statistics.unavailable == nil)
  }

  @Test func historyIsBoundedAndOrderedOldestFirst() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier(.init(historyLength: 5))
    for second in Int64(0)..<8 { tier.store([sqliteQuote(aapl, 100 + Double(second), asOf: 1_764_374_000 + second)]) }
    await tier.flush()
    tier.store((8..<12).map { sqliteQuote(aapl, 100 + Double($0), asOf: 1_764_374_000 + $0) })
    tier.store([sqliteQuote(amd, 200, asOf: 1_764_374_000)])
    await tier.flush()

    let history = await tier.history([aapl, amd, vix], limit: 100)
    #expect(history[aapl]?.map(\.price) == [107, 108, 109, 110, 111])
    #expect(history[aapl]?.map(\.asOf) == (7..<12).map { QuoteEntryCodec.date(microseconds: (1_764_374_000 + $0) * 1_000_000) })
    #expect(history[amd]?.map(\.price) == [200])
    #expect(history[vix] == nil)
    #expect(await tier.history([aapl], limit: 2)[aapl]?.map(\.price) == [110, 111])
  }

  @Test func aTickAtTheSameTimeReplacesTheEarlierOne() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(btc, 112_000, asOf: 1_764_374_000), sqliteQuote(btc, 112_450, asOf: 1_764_374_000)])
    await tier.flush()
    #expect(await tier.history([btc], limit: 10)[btc]?.map(\.price) == [112_450])
  }

  @Test func retentionDropsOldTicksOfEverySymbol() async throws {
    let scratch = SQLiteScratch()
    let clock = ManualClock()
    let now = Int64(clock.wallNow().timeIntervalSince1970)
    let tier = try scratch.tier(.init(historyRetention: .seconds(3600)), clock: clock)
    tier.store([
      sqliteQuote(aapl, 1, asOf: now - 7200), sqliteQuote(aapl, 2, asOf: now - 600), sqliteQuote(amd, 3, asOf: now - 60),
    ])
    await tier.flush()
    #expect(await tier.history([aapl], limit: 10)[aapl]?.map(\.price) == [2])

    // AMD is not written again, yet its tick ages out; its last quote stays.
    clock.advance(by: .seconds(3600))
    tier.store([sqliteQuote(aapl, 4, asOf: now + 3500)])
    await tier.flush()
    let history = await tier.history([aapl, amd], limit: 10)
    #expect(history[aapl]?.map(\.price) == [4])
    #expect(history[amd] == nil)
    #expect(await tier.load([amd])[amd]?.price == 3)
  }

  @Test func theLeastRecentlyStoredSymbolsGoBeyondTheMaximum() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier(.init(maximumSymbols: 3))
    let symbols = [aapl, amd, vix, btc, moutai]
    tier.store(symbols.enumerated().map { sqliteQuote($1, 10, asOf: 1_764_374_000 + Int64($0)) })
    await tier.flush()
    #expect(Set(await tier.load(symbols).keys) == [vix, btc, moutai])
    #expect(await tier.history([aapl, amd], limit: 10).isEmpty, "their ticks go with them")
    #expect(tier.statistics.entries == 3)
    #expect(tier.statistics.evictions == 2)
    #expect(tier.statistics.insertions == 5)
    #expect(tier.statistics.maximumEntries == 3)
  }

  @Test func invalidationBySymbolKeyPrefixAndAll() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    let everything = [aapl, amd, vix, btc, btcEuro, moutai]
    tier.store(everything.map { sqliteQuote($0, 1) })
    await tier.flush()

    tier.invalidate(.symbol(aapl))
    // Hidden at once, before the writer has run.
    #expect(await tier.load([aapl])[aapl] == nil)
    await tier.flush()
    #expect(await tier.history([aapl], limit: 10).isEmpty)

    tier.invalidate(.prefix("v1:quote:BTC"))
    #expect(await tier.lastQuotes(limit: 10).count == 3)
    await tier.flush()
    #expect(Set(await tier.load(everything).keys) == [amd, vix, moutai])

    tier.invalidate(.key(CacheKey(.quote, amd)))
    tier.invalidate(.key(CacheKey(DataKind("history"), vix, parameters: "1mo:1d")))
    tier.invalidate(.prefix("v1:history:"))
    tier.invalidate(.prefix("v2:quote:"))
    await tier.flush()
    #expect(Set(await tier.load(everything).keys) == [vix, moutai])
    #expect(Set(await tier.history(everything, limit: 10).keys) == [vix, moutai])

    tier.invalidate(.all)
    await tier.flush()
    #expect(await tier.load(everything).isEmpty)
    #expect(await tier.history(everything, limit: 10).isEmpty)
    #expect(tier.statistics.entries == 0)
  }

  @Test func aPrefixOfTheQuoteKeyClearsEveryQuote() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, 1), sqliteQuote(vix, 2)])
    await tier.flush()
    tier.invalidate(.prefix("v1:quote:"))
    await tier.flush()
    #expect(await tier.load([aapl, vix]).isEmpty)
  }

  @Test func writesAreAppliedInTheOrderTheyWereAsked() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, 1, asOf: 1_764_374_000)])
    tier.invalidate(.symbol(aapl))
    tier.store([sqliteQuote(aapl, 2, asOf: 1_764_374_001)])
    await tier.flush()
    #expect(await tier.load([aapl])[aapl]?.price == 2)
    #expect(await tier.history([aapl], limit: 10)[aapl]?.map(\.price) == [2])
  }

  @Test func aFullWriteQueueDropsTheOldestAndCountsIt() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier(.init(writeQueueLimit: 3))
    let symbols = [aapl, amd, vix, btc, moutai]
    tier.store(symbols.map { sqliteQuote($0, 1) })
    tier.invalidate(.symbol(btcEuro))
    #expect(tier.droppedWrites == 2)
    await tier.flush()
    #expect(Set(await tier.load(symbols).keys) == [vix, btc, moutai])
    #expect(tier.statistics.insertions == 3)
  }

  @Test func unreadableRowsAreSkippedAndCounted() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, 1), sqliteQuote(amd, 2), sqliteQuote(vix, 3)])
    await tier.flush()
    try await tier.pool.write { db in
      try db.execute(sql: "UPDATE last_quote SET entry = x'0102ff' WHERE symbol = 'AAPL'")
      try db.execute(sql: "UPDATE last_quote SET entry = 'not a blob' WHERE symbol = 'AMD'")
      // A readable entry under the wrong symbol is as wrong as garbage.
      let other = Data(QuoteEntryCodec.encode(sqliteQuote(btc, 4), compressAbove: .max))
      try db.execute(sql: "INSERT INTO last_quote(symbol, entry, received_at) VALUES ('KO', ?, 0)", arguments: [other])
    }
    let loaded = await tier.load([aapl, amd, vix, Symbol("KO")])
    #expect(Set(loaded.keys) == [vix])
    #expect(tier.unreadableEntries == 3)
    #expect(await tier.lastQuotes(limit: 10).map(\.symbol) == [vix])
    #expect(tier.unreadableEntries == 6)
    #expect(tier.statistics.unavailable == nil, "bad rows are not a broken database")
  }

  @Test func aFullDiskIsReportedAndTheWriterRecovers() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, 1)])
    await tier.flush()
    // The writer's connection may not grow the file past its current size.
    try await tier.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1") }
    let many = try (0..<500).map { index in
      sqliteQuote(try Symbol(validating: "S\(index)"), 1, source: ProviderID("simulated-provider-\(index)"))
    }
    tier.store(many)
    await tier.flush()
    let unavailable = try #require(tier.statistics.unavailable)
    #expect(unavailable.contains("cannot write"))
    #expect(unavailable.contains(scratch.path))
    #expect(await tier.load([aapl])[aapl]?.price == 1, "reads go on")

    try await tier.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
    tier.store([sqliteQuote(amd, 2)])
    await tier.flush()
    #expect(tier.statistics.unavailable == nil)
    #expect(await tier.load([amd])[amd]?.price == 2)
  }

  @Test func anInvalidationThatFailedIsRetriedAndHiddenMeanwhile() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, 1), sqliteQuote(amd, 2)])
    await tier.flush()
    try await tier.pool.writeWithoutTransaction { db in
      try db.execute(sql: "CREATE TEMP TRIGGER refuse BEFORE DELETE ON last_quote BEGIN SELECT RAISE(ABORT, 'refused'); END")
    }
    tier.invalidate(.symbol(aapl))
    await tier.flush()
    #expect(tier.statistics.unavailable != nil)
    #expect(await tier.load([aapl, amd]).keys.sorted() == [amd], "still hidden while it waits")

    try await tier.pool.writeWithoutTransaction { try $0.execute(sql: "DROP TRIGGER temp.refuse") }
    tier.store([sqliteQuote(vix, 3)])
    await tier.flush()
    #expect(tier.statistics.unavailable == nil)
    let remaining = try await tier.pool.read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM last_quote WHERE symbol = 'AAPL'")
    }
    #expect(remaining == 0)
  }

  @Test func theWriterServiceWritesWhatWasQueuedBeforeItStops() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    let writer = Task { try await tier.run() }
    tier.store([sqliteQuote(aapl, 1)])
    await tier.flush()
    #expect(await tier.load([aapl])[aapl]?.price == 1)
    tier.store([sqliteQuote(amd, 2)])
    writer.cancel()
    try await writer.value
    #expect(await tier.load([amd])[amd]?.price == 2)
  }

  @Test func quotesWithoutAFinitePriceAreNotWritten() async throws {
    let scratch = SQLiteScratch()
    let tier = try scratch.tier()
    tier.store([sqliteQuote(aapl, .nan), sqliteQuote(amd, 2)])
    await tier.flush()
    #expect(Set(await tier.load([aapl, amd]).keys) == [amd])
    #expect(tier.statistics.unavailable == nil)
  }
}
