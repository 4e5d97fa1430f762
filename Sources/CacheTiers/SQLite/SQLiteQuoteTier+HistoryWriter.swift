import Foundation
import GRDB
import MarketCore

extension SQLiteQuoteTier {
  /// One series: a symbol's bars of one interval, the unit of least-recently-used eviction.
  struct SeriesKey: Hashable, Sendable {
    var symbol: Symbol
    var interval: BarInterval
  }

  /// History blocks and bars held, or (negative) removed.
  struct HistoryTally: Hashable, Sendable {
    var blocks = 0
    var bars = 0

    mutating func add(_ change: HistoryTally) {
      blocks += change.blocks
      bars += change.bars
    }

    static prefix func - (tally: HistoryTally) -> HistoryTally { HistoryTally(blocks: -tally.blocks, bars: -tally.bars) }

    /// What the file holds now.
    static func read(_ db: Database) throws -> HistoryTally {
      try read(db, sql: "SELECT COUNT(*), COALESCE(SUM(bar_count), 0) FROM history_block", arguments: [])
    }

    static func read(_ db: Database, sql: String, arguments: StatementArguments) throws -> HistoryTally {
      guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return HistoryTally() }
      let blocks: DatabaseValue = row[0]
      let bars: DatabaseValue = row[1]
      guard case .int64(let blockCount) = blocks.storage, case .int64(let barCount) = bars.storage else {
        return HistoryTally()
      }
      return HistoryTally(blocks: Int(blockCount), bars: Int(barCount))
    }
  }

  /// The writer's history and profile statements, inside one batch's transaction: a block is
  /// its coverage row and its bars, written together, and its series' `last_used`.
  struct HistoryWriter {
    let db: Database
    let compressAbove: Int
    private let heldBars: Statement
    private let deleteBars: Statement
    private let insertBar: Statement
    private let storeCoverage: Statement
    private let useSeries: Statement

    init(_ db: Database, compressAbove: Int) throws {
      self.db = db
      self.compressAbove = compressAbove
      heldBars = try db.cachedStatement(
        sql: "SELECT bar_count FROM history_block WHERE symbol = ? AND interval = ? AND block_start = ?")
      deleteBars = try db.cachedStatement(
        sql: "DELETE FROM history_bar WHERE symbol = ? AND interval = ? AND time >= ? AND time < ?")
      insertBar = try db.cachedStatement(
        sql: """
          INSERT INTO history_bar(symbol, interval, time, open, high, low, close, adj_close, volume)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      storeCoverage = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO history_block(
            symbol, interval, block_start, block_end, source, received_at, currency, time_zone, simulated, bar_count)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      useSeries = try db.cachedStatement(
        sql: """
          INSERT INTO history_series(symbol, interval, last_used) VALUES (?, ?, ?)
          ON CONFLICT(symbol, interval) DO UPDATE SET last_used = max(last_used, excluded.last_used)
          """)
    }

    // MARK: Blocks

    /// Replaces the block's bars and coverage row; what the file gained (a replaced block's
    /// bars are taken off).
    func store(_ value: BarBlock, usedAt now: Int64) throws -> HistoryTally {
      let block = value.block
      let symbol = block.symbol.text
      let interval = block.interval.rawValue
      var change = HistoryTally(blocks: 1, bars: value.bars.count)
      if let row = try Row.fetchOne(heldBars, arguments: [symbol, interval, block.start]) {
        let held: DatabaseValue = row[0]
        change.blocks -= 1
        if case .int64(let count) = held.storage { change.bars -= Int(count) }
      }
      try deleteBars.execute(arguments: [symbol, interval, block.start, block.end])
      for bar in value.bars {
        try insertBar.execute(
          arguments: [
            symbol, interval, bar.start, bar.open, bar.high, bar.low, bar.close, bar.adjustedClose, bar.volume,
          ])
      }
      try storeCoverage.execute(
        arguments: [
          symbol, interval, block.start, block.end, value.source.name, EntryEnvelope.microseconds(value.receivedAt),
          value.currency, value.exchangeTimeZone, value.isSimulated, value.bars.count,
        ])
      try useSeries.execute(arguments: [symbol, interval, now])
      return change
    }

    /// Records reads: a series read recently is the last to be evicted. A series deleted since
    /// is not brought back.
    func recordUse(_ touches: [SeriesKey: Int64]) throws {
      guard !touches.isEmpty else { return }
      let touch = try db.cachedStatement(
        sql: "UPDATE history_series SET last_used = max(last_used, ?) WHERE symbol = ? AND interval = ?")
      for (series, time) in touches {
        try touch.execute(arguments: [time, series.symbol.text, series.interval.rawValue])
      }
    }

    /// Deletes the blocks the scope names, exactly: a whole symbol's series when the scope
    /// names every key of it, otherwise each block whose key the scope matches. Returns the
    /// (negative) change.
    func delete(_ scope: InvalidationScope) throws -> HistoryTally {
      switch Selection(scope, kind: .history, parameterized: true) {
      case .nothing:
        return HistoryTally()
      case .everything:
        let held = try HistoryTally.read(db)
        try db.execute(sql: "DELETE FROM history_bar")
        try db.execute(sql: "DELETE FROM history_block")
        try db.execute(sql: "DELETE FROM history_series")
        return -held
      case .symbol(let symbol):
        if Selection.needsEveryKeyChecked(scope) { return try deleteBlocks(of: symbol, matching: scope) }
        return try deleteSymbols(where: "symbol = ?", [symbol.text])
      case .symbolPrefix(let prefix):
        // A key range rather than LIKE, which would scan and treat `_` and `%` as wildcards.
        return try deleteSymbols(where: "symbol >= ? AND symbol < ?", [prefix, prefix + "\u{10FFFF}"])
      }
    }

    private func deleteSymbols(where condition: String, _ arguments: StatementArguments) throws -> HistoryTally {
      let held = try HistoryTally.read(
        db, sql: "SELECT COUNT(*), COALESCE(SUM(bar_count), 0) FROM history_block WHERE \(condition)",
        arguments: arguments)
      try db.execute(sql: "DELETE FROM history_bar WHERE \(condition)", arguments: arguments)
      try db.execute(sql: "DELETE FROM history_block WHERE \(condition)", arguments: arguments)
      try db.execute(sql: "DELETE FROM history_series WHERE \(condition)", arguments: arguments)
      return -held
    }

    /// Each stored block of the symbol whose key the scope matches, by the same
    /// ``InvalidationScope/matches(_:)`` memory uses.
    private func deleteBlocks(of symbol: Symbol, matching scope: InvalidationScope) throws -> HistoryTally {
      let rows = try Row.fetchAll(
        db, sql: "SELECT interval, block_start, block_end, bar_count FROM history_block WHERE symbol = ?",
        arguments: [symbol.text])
      var removed = HistoryTally()
      for row in rows {
        let intervalValue: DatabaseValue = row[0]
        let startValue: DatabaseValue = row[1]
        let endValue: DatabaseValue = row[2]
        let countValue: DatabaseValue = row[3]
        guard case .string(let intervalText) = intervalValue.storage, let interval = BarInterval(rawValue: intervalText),
          case .int64(let start) = startValue.storage, case .int64(let end) = endValue.storage
        else { continue }
        let block = HistoryBlock(symbol: symbol, interval: interval, start: start, end: end)
        guard scope.matches(block.key) else { continue }
        try deleteBars.execute(arguments: [symbol.text, intervalText, start, end])
        try db.execute(
          sql: "DELETE FROM history_block WHERE symbol = ? AND interval = ? AND block_start = ?",
          arguments: [symbol.text, intervalText, start])
        removed.blocks += 1
        if case .int64(let count) = countValue.storage { removed.bars += Int(count) }
      }
      // A series left without blocks has nothing to evict.
      try db.execute(
        sql: """
          DELETE FROM history_series WHERE symbol = ? AND NOT EXISTS (SELECT 1 FROM history_block b
            WHERE b.symbol = history_series.symbol AND b.interval = history_series.interval)
          """, arguments: [symbol.text])
      return -removed
    }

    /// Drops whole series, least recently used first, until at most `target` bars are left;
    /// the most recently used series always stays, even alone past the cap. Returns what went
    /// (a positive tally) and how many series.
    func evictLeastRecentlyUsed(
      down target: Int, from held: HistoryTally
    ) throws -> (removed: HistoryTally, series: Int) {
      let series = try Row.fetchAll(db, sql: "SELECT symbol, interval FROM history_series ORDER BY last_used, symbol, interval")
      var left = held
      var removed = HistoryTally()
      var evicted = 0
      for row in series.dropLast() where left.bars > target {
        let symbol: DatabaseValue = row[0]
        let interval: DatabaseValue = row[1]
        let arguments: StatementArguments = [symbol, interval]
        let gone = try HistoryTally.read(
          db, sql: "SELECT COUNT(*), COALESCE(SUM(bar_count), 0) FROM history_block WHERE symbol = ? AND interval = ?",
          arguments: arguments)
        try db.execute(sql: "DELETE FROM history_bar WHERE symbol = ? AND interval = ?", arguments: arguments)
        try db.execute(sql: "DELETE FROM history_block WHERE symbol = ? AND interval = ?", arguments: arguments)
        try db.execute(sql: "DELETE FROM history_series WHERE symbol = ? AND interval = ?", arguments: arguments)
        left.add(-gone)
        removed.add(gone)
        evicted += 1
      }
      return (removed, evicted)
    }

    // MARK: Profiles

    func store(_ profile: Profile) throws {
      let statement = try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO profile(symbol, entry, received_at) VALUES (?, ?, ?)")
      try statement.execute(
        arguments: [
          profile.symbol.text, Data(ProfileEntryCodec.encode(profile, compressAbove: compressAbove)),
          EntryEnvelope.microseconds(profile.receivedAt),
        ])
    }

    static func deleteProfiles(_ selection: Selection, _ db: Database) throws {
      switch selection {
      case .nothing: return
      case .symbol(let symbol): try db.execute(sql: "DELETE FROM profile WHERE symbol = ?", arguments: [symbol.text])
      case .symbolPrefix(let prefix):
        try db.execute(sql: "DELETE FROM profile WHERE symbol >= ? AND symbol < ?", arguments: [prefix, prefix + "\u{10FFFF}"])
      case .everything: try db.execute(sql: "DELETE FROM profile")
      }
    }

    /// Keeps the `maximum` most recently received profiles; returns how many went.
    static func trimProfiles(keeping maximum: Int, _ db: Database) throws -> Int {
      let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profile") ?? 0
      let excess = count - max(0, maximum)
      guard excess > 0 else { return 0 }
      try db.execute(
        sql: "DELETE FROM profile WHERE symbol IN (SELECT symbol FROM profile ORDER BY received_at LIMIT ?)",
        arguments: [excess])
      return db.changesCount
    }
  }
}
