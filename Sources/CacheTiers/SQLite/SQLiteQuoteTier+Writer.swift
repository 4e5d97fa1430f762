import Foundation
import GRDB
import MarketCore

extension SQLiteQuoteTier {
  /// Opens the pool and brings the schema up to date, turning every failure into an error
  /// that names the file.
  static func open(_ path: String) throws(SQLiteTierError) -> DatabasePool {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
    }
    var configuration = Configuration()
    configuration.label = "lianyaohu.quotes"
    // Past this a locked database is reported as a failure instead of stalling a reader or
    // the writer: the caller goes to the providers instead.
    configuration.busyMode = .timeout(0.25)
    configuration.prepareDatabase { db in
      // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last batches,
      // which for a cache is cheaper than an fsync per commit.
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    let pool: DatabasePool
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
    } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
      throw .notADatabase(path: path)
    } catch {
      throw .cannotOpen(path: path, reason: describe(error))
    }
    let migrator = makeMigrator()
    do {
      let unknown = try pool.read { db in
        try migrator.hasBeenSuperseded(db) ? migrator.appliedIdentifiers(db).subtracting(migrator.migrations) : []
      }
      if !unknown.isEmpty { throw SQLiteTierError.newerSchema(path: path, unknownMigrations: unknown.sorted()) }
      try migrator.migrate(pool)
    } catch let error as SQLiteTierError {
      throw error
    } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
      throw .notADatabase(path: path)
    } catch {
      throw .migrationFailed(path: path, reason: describe(error))
    }
    return pool
  }

  /// Writes the next batch in one transaction. False when nothing could be written (the
  /// queue is then left for a later attempt), true otherwise, including an empty queue.
  func writeBatch() async -> Bool {
    do {
      // The batch is taken inside the writer's serial queue, so batches commit in the order
      // they were queued even when `flush` and `run` drain at once.
      return try await pool.writeWithoutTransaction { db in self.writeNextBatch(db) }
    } catch {
      if !(error is CancellationError) { writeFailed(error) }
      return false
    }
  }

  private func writeNextBatch(_ db: Database) -> Bool {
    let (batch, touches) = state.withLock { state in
      defer { state.touches.removeAll(keepingCapacity: true) }
      return (state.queue.takeBatch(maximum: Self.batchSize), state.touches)
    }
    guard !batch.isEmpty || !touches.isEmpty else { return true }
    var outcome = BatchOutcome()
    let now = clock.now()
    let sweep = retentionSweepIsDue(at: now)
    let committedHistory = state.withLock { $0.history }
    do {
      try db.inTransaction(.immediate) {
        outcome = try apply(batch, touches: touches, history: committedHistory, sweep: sweep, db)
        return .commit
      }
    } catch {
      state.withLock { state in
        state.queue.failed(batch)
        // The reads it would have recorded still happened: the next batch records them.
        state.touches.merge(touches) { max($0, $1) }
      }
      writeFailed(error)
      return false
    }
    let footprint = try? Self.footprint(db)
    let recovered = state.withLock { state in
      state.queue.committed(batch)
      if sweep { state.lastRetentionSweep = now }
      state.insertions += outcome.inserted
      state.evictions += outcome.evicted
      state.history = outcome.history
      if let footprint {
        state.entries = footprint.entries + outcome.history.blocks
        state.bytes = footprint.bytes
      }
      defer { state.writeProblem = nil }
      return state.writeProblem != nil
    }
    if recovered { logger.info("SQLite tier writes again", metadata: ["path": "\(path)"]) }
    if outcome.skipped > 0 {
      logger.debug("SQLite tier skipped values that cannot be stored", metadata: ["count": "\(outcome.skipped)"])
    }
    if outcome.evictedSeries > 0 {
      logger.debug(
        "SQLite tier evicted the least recently used history series",
        metadata: ["series": "\(outcome.evictedSeries)", "barsKept": "\(outcome.history.bars)"])
    }
    return true
  }

  private func writeFailed(_ error: any Error) {
    let reason = "cannot write \(path): \(Self.describe(error))"
    let isNew = state.withLock { state in
      defer { state.writeProblem = reason }
      return state.writeProblem != reason
    }
    if isNew { logger.warning("SQLite tier write failed; later batches will retry", metadata: ["reason": "\(reason)"]) }
  }

  struct BatchOutcome {
    var inserted = 0
    var evicted = 0
    var skipped = 0
    var evictedSeries = 0
    /// The history blocks and bars once the batch is committed.
    var history = HistoryTally()
  }

  /// The batch's operations in order, then the recorded reads of history series, then
  /// retention and the caps for what it touched.
  private func apply(
    _ batch: [WriteQueue.Operation], touches: [SeriesKey: Int64], history: HistoryTally, sweep: Bool, _ db: Database
  ) throws -> BatchOutcome {
    var outcome = BatchOutcome()
    outcome.history = history
    let now = EntryEnvelope.microseconds(clock.wallNow()) / 1_000_000
    let historyWriter = try HistoryWriter(db, compressAbove: options.compressAbove)
    let storeQuote = try db.cachedStatement(
      sql: "INSERT OR REPLACE INTO last_quote(symbol, entry, received_at) VALUES (?, ?, ?)")
    // Same (symbol, as_of) replaces: a provider re-sending one observation is one tick.
    let storeTick = try db.cachedStatement(sql: "INSERT OR REPLACE INTO tick(symbol, as_of, price) VALUES (?, ?, ?)")
    var touched: Set<Symbol> = []
    for operation in batch {
      switch operation {
      case .store(let quote):
        // SQLite stores NaN as NULL: one bad quote would fail the whole batch on NOT NULL.
        guard quote.price.isFinite else {
          outcome.skipped += 1
          continue
        }
        let entry = QuoteEntryCodec.encode(quote, compressAbove: options.compressAbove)
        try storeQuote.execute(
          arguments: [quote.symbol.text, Data(entry), QuoteEntryCodec.microseconds(quote.receivedAt)])
        if options.historyLength > 0 {
          try storeTick.execute(arguments: [quote.symbol.text, QuoteEntryCodec.microseconds(quote.asOf), quote.price])
          touched.insert(quote.symbol)
        }
        outcome.inserted += 1
      case .storeBlock(let block):
        // A block the pipeline would refuse is not kept (and NaN would fail the batch on NOT NULL).
        guard block.problem == nil else {
          outcome.skipped += 1
          continue
        }
        outcome.history.add(try historyWriter.store(block, usedAt: now))
        outcome.inserted += 1
      case .storeProfile(let profile):
        try historyWriter.store(profile)
        outcome.inserted += 1
      case .invalidate(let scope, _):
        try delete(Selection(scope, kind: .quote), db)
        try HistoryWriter.deleteProfiles(Selection(scope, kind: .profile), db)
        outcome.history.add(try historyWriter.delete(scope))
      }
    }
    try historyWriter.recordUse(touches)
    try trimHistory(of: touched, sweep: sweep, db)
    outcome.evicted = try trimLastQuotes(db)
    outcome.evicted += try HistoryWriter.trimProfiles(keeping: options.maximumSymbols, db)
    if outcome.history.bars > options.maximumHistoryBars {
      let eviction = try historyWriter.evictLeastRecentlyUsed(
        down: options.maximumHistoryBars - options.maximumHistoryBars / 10, from: outcome.history)
      outcome.history.add(-eviction.removed)
      outcome.evicted += eviction.removed.blocks
      outcome.evictedSeries = eviction.series
    }
    return outcome
  }

  private func delete(_ selection: Selection, _ db: Database) throws {
    switch selection {
    case .nothing:
      return
    case .symbol(let symbol):
      try db.execute(sql: "DELETE FROM last_quote WHERE symbol = ?", arguments: [symbol.text])
      try db.execute(sql: "DELETE FROM tick WHERE symbol = ?", arguments: [symbol.text])
    case .symbolPrefix(let prefix):
      // A key range rather than LIKE, which would scan and treat `_` and `%` as wildcards.
      // Symbols are ASCII, so every one that starts with the prefix sorts below prefix + U+10FFFF.
      let range: StatementArguments = [prefix, prefix + "\u{10FFFF}"]
      try db.execute(sql: "DELETE FROM last_quote WHERE symbol >= ? AND symbol < ?", arguments: range)
      try db.execute(sql: "DELETE FROM tick WHERE symbol >= ? AND symbol < ?", arguments: range)
    case .everything:
      try db.execute(sql: "DELETE FROM last_quote")
      try db.execute(sql: "DELETE FROM tick")
    }
  }

  /// Keeps each touched symbol's newest `historyLength` ticks that are within retention: one
  /// range of the (symbol, as_of) key per symbol. With `sweep`, every stored symbol's ticks past
  /// retention go too, so a symbol no longer written does not keep them forever.
  private func trimHistory(of symbols: Set<Symbol>, sweep: Bool, _ db: Database) throws {
    let cutoff = QuoteEntryCodec.microseconds(clock.wallNow().addingTimeInterval(-options.historyRetention.seconds))
    if !symbols.isEmpty {
      // Below whichever is later: the cutoff, or the oldest tick to keep (none if fewer).
      let trim = try db.cachedStatement(
        sql: """
          DELETE FROM tick WHERE symbol = :symbol AND as_of < max(:cutoff, coalesce(
            (SELECT as_of FROM tick WHERE symbol = :symbol ORDER BY as_of DESC LIMIT 1 OFFSET :keep), :cutoff))
          """)
      for symbol in symbols {
        try trim.execute(arguments: ["symbol": symbol.text, "cutoff": cutoff, "keep": options.historyLength - 1])
      }
    }
    if sweep {
      // Every tick belongs to a stored symbol (trimming and invalidation delete both), so this
      // is one key range per stored symbol, not a scan of the history.
      try db.execute(
        sql: "DELETE FROM tick WHERE symbol IN (SELECT symbol FROM last_quote) AND as_of < ?", arguments: [cutoff])
    }
  }

  /// Whether the all-symbols retention sweep should run in this batch: at the first batch, then
  /// once per eighth of the retention (at most hourly) of the injected clock.
  private func retentionSweepIsDue(at now: MarketInstant) -> Bool {
    let interval = min(options.historyRetention / 8, .seconds(3600))
    return state.withLock { state in
      guard let last = state.lastRetentionSweep else { return true }
      return now - last >= interval
    }
  }

  /// Drops the least recently stored symbols (last quote and ticks) beyond `maximumSymbols`;
  /// returns how many went.
  private func trimLastQuotes(_ db: Database) throws -> Int {
    let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM last_quote") ?? 0
    let excess = count - max(0, options.maximumSymbols)
    guard excess > 0 else { return 0 }
    let oldest = "SELECT symbol FROM last_quote ORDER BY received_at LIMIT ?"
    try db.execute(sql: "DELETE FROM tick WHERE symbol IN (\(oldest))", arguments: [excess])
    try db.execute(sql: "DELETE FROM last_quote WHERE symbol IN (\(oldest))", arguments: [excess])
    return db.changesCount
  }
}
