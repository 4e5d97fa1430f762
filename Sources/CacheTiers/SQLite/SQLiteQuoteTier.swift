import Foundation
import GRDB
import Logging
import MarketCore
import ServiceLifecycle
import Synchronization

/// The single-machine tier: last quotes and a short tick history per symbol, blocks of history
/// bars and company profiles in an SQLite file, so a restart begins with the values it had,
/// sparklines are not empty and settled history is never fetched twice.
///
/// One type keeps every data class (it adopts ``QuoteTier``, ``HistoryTier`` and
/// ``ProfileTier``) because they share one file, and SQLite has one writer per file: a sibling
/// tier would contend for the same write lock, and invalidations (`.symbol(S)` names every
/// class) would no longer be ordered with the stores around them.
///
/// One `DatabasePool` in WAL mode: readers never wait for the writer. Writes go through a
/// bounded queue that ``run()`` drains, one transaction per batch, so `store` never waits for
/// the disk. A database that fails (full disk, lock held too long, corruption) makes reads
/// return nothing and sets ``statistics``' `unavailable`; it never crashes or blocks.
public final class SQLiteQuoteTier: QuoteTier, HistoryTier, ProfileTier, Service {
  public struct Options: Sendable {
    /// Ticks kept per symbol (sparklines).
    public var historyLength: Int
    /// Ticks older than this go: at once for symbols being written, within an eighth of it (at
    /// most an hour) for the rest.
    public var historyRetention: Duration
    /// Last-quote rows kept, and profile rows kept; the least recently stored go first.
    public var maximumSymbols: Int
    /// Values (quotes, blocks, profiles) queued for the writer; past it the oldest queued one is
    /// dropped and counted.
    public var writeQueueLimit: Int
    /// Entries whose payload is at least this many bytes are compressed (when that helps).
    public var compressAbove: Int
    /// History bars kept in the file. Past it, whole series (a symbol's bars of one interval)
    /// go, least recently read first, until the bars are back under 90 % of it. A bar costs
    /// about 80 bytes of file (`lianyaohu-bench history-store`), so the default is about 320 MB.
    public var maximumHistoryBars: Int
    /// Bars queued for the writer; past it the oldest queued block is dropped and counted.
    public var writeQueueBarLimit: Int

    public init(
      historyLength: Int = 240, historyRetention: Duration = .seconds(7 * 86_400), maximumSymbols: Int = 20_000,
      writeQueueLimit: Int = 10_000, compressAbove: Int = 512, maximumHistoryBars: Int = 4_000_000,
      writeQueueBarLimit: Int = 1_000_000
    ) {
      self.historyLength = historyLength
      self.historyRetention = historyRetention
      self.maximumSymbols = maximumSymbols
      self.writeQueueLimit = writeQueueLimit
      self.compressAbove = compressAbove
      self.maximumHistoryBars = maximumHistoryBars
      self.writeQueueBarLimit = writeQueueBarLimit
    }
  }

  /// One point of a symbol's price history.
  public struct Tick: Hashable, Sendable {
    public var asOf: Date
    public var price: Double

    public init(asOf: Date, price: Double) {
      self.asOf = asOf
      self.price = price
    }
  }

  struct State {
    var queue: WriteQueue
    var hits = 0
    var misses = 0
    var insertions = 0
    var evictions = 0
    var unreadableEntries = 0
    var entries = 0
    var bytes = 0
    /// Committed history blocks and bars (the writer keeps these as it writes).
    var history = HistoryTally()
    /// Series read since the writer last recorded it, with when (epoch seconds): written as
    /// `last_used` with the next batch, so a read never waits for the writer.
    var touches: [SeriesKey: Int64] = [:]
    /// When ticks of every symbol were last checked against retention (injected clock).
    var lastRetentionSweep: MarketInstant?
    /// Kept apart so a working read path does not hide a failing writer, and vice versa.
    var readProblem: String?
    var writeProblem: String?
  }

  /// Operations per transaction: large enough to amortise the commit, small enough that one
  /// batch never holds the write lock for long.
  static let batchSize = 512

  public let name = "sqlite"
  public let path: String
  public let options: Options
  let pool: DatabasePool
  let clock: any MarketClock
  let logger: Logger
  let state: Mutex<State>
  private let wakeups: AsyncStream<Void>
  let wakeWriter: AsyncStream<Void>.Continuation

  /// Opens (creating it and its directory if needed) and migrates the database at `path`.
  public init(
    path: String, options: Options = Options(), clock: any MarketClock = SystemClock(),
    logger: Logger = Logger(label: "lianyaohu.cache.sqlite")
  ) throws(SQLiteTierError) {
    self.path = path
    self.options = options
    self.clock = clock
    self.logger = logger
    self.pool = try Self.open(path)
    self.state = Mutex(
      State(queue: WriteQueue(limit: options.writeQueueLimit, barLimit: options.writeQueueBarLimit)))
    (wakeups, wakeWriter) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    if let (footprint, history) = try? pool.read({ try (Self.footprint($0), HistoryTally.read($0)) }) {
      state.withLock { state in
        state.history = history
        state.entries = footprint.entries + history.blocks
        state.bytes = footprint.bytes
      }
    }
  }

  // MARK: Reading

  public func load(_ symbols: [Symbol]) async -> [Symbol: Quote] {
    let wanted = Array(Set(symbols))
    guard !wanted.isEmpty else { return [:] }
    let hidden = pendingInvalidations()
    var found: [Symbol: Quote] = [:]
    do {
      let rows = try await pool.read { db in
        var rows = DecodedRows()
        // Well under SQLite's limit on bound parameters, whatever the build.
        for start in stride(from: 0, to: wanted.count, by: 500) {
          let chunk = wanted[start..<min(start + 500, wanted.count)]
          let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
          try rows.decode(
            db, sql: "SELECT symbol, entry FROM last_quote WHERE symbol IN (\(placeholders))",
            arguments: StatementArguments(chunk.map(\.text)))
        }
        return rows
      }
      for quote in rows.quotes where !hidden.contains(where: { $0.matches(CacheKey(.quote, quote.symbol)) }) {
        found[quote.symbol] = quote
      }
      state.withLock {
        $0.unreadableEntries += rows.unreadable
        $0.readProblem = nil
      }
    } catch {
      readFailed(error)
    }
    state.withLock {
      $0.hits += found.count
      $0.misses += wanted.count - found.count
    }
    return found
  }

  /// Every kept last quote, newest first: what a restarted process warms L1 with.
  public func lastQuotes(limit: Int) async -> [Quote] {
    guard limit > 0 else { return [] }
    let hidden = pendingInvalidations()
    do {
      let rows = try await pool.read { db in
        var rows = DecodedRows()
        try rows.decode(
          db, sql: "SELECT symbol, entry FROM last_quote ORDER BY received_at DESC LIMIT ?", arguments: [limit])
        return rows
      }
      state.withLock {
        $0.unreadableEntries += rows.unreadable
        $0.readProblem = nil
      }
      return rows.quotes.filter { quote in !hidden.contains { $0.matches(CacheKey(.quote, quote.symbol)) } }
    } catch {
      readFailed(error)
      return []
    }
  }

  /// Up to `limit` most recent ticks per symbol, oldest first; symbols without any are absent.
  public func history(_ symbols: [Symbol], limit: Int) async -> [Symbol: [Tick]] {
    let hidden = pendingInvalidations()
    let wanted = Set(symbols).filter { symbol in !hidden.contains { $0.matches(CacheKey(.quote, symbol)) } }
    guard limit > 0, !wanted.isEmpty else { return [:] }
    do {
      let history = try await pool.read { db in
        var history: [Symbol: [Tick]] = [:]
        let statement = try db.cachedStatement(
          sql: "SELECT as_of, price FROM tick WHERE symbol = ? ORDER BY as_of DESC LIMIT ?")
        for symbol in wanted {
          var ticks: [Tick] = []
          let rows = try Row.fetchCursor(statement, arguments: [symbol.text, limit])
          while let row = try rows.next() {
            if let tick = Self.tick(row) { ticks.append(tick) }
          }
          if !ticks.isEmpty { history[symbol] = ticks.reversed() }
        }
        return history
      }
      state.withLock { $0.readProblem = nil }
      return history
    } catch {
      readFailed(error)
      return [:]
    }
  }

  // MARK: Writing

  public func store(_ quotes: [Quote]) {
    guard !quotes.isEmpty else { return }
    state.withLock { state in
      for quote in quotes { state.queue.store(quote) }
    }
    wakeWriter.yield()
  }

  /// Drops what the scope names (last quotes and ticks, history blocks, profiles), in order
  /// with the stores around it. Reads stop returning it at once, before the writer gets to it.
  public func invalidate(_ scope: InvalidationScope) {
    state.withLock { $0.queue.invalidate(scope) }
    wakeWriter.yield()
  }

  /// Returns once everything queued before the call is committed, or the database refused it
  /// (then ``statistics`` says why).
  public func flush() async {
    // As many batches as are queued now, so quotes stored meanwhile cannot keep it going;
    // at least one, which also waits for a batch the writer is committing.
    let queued = state.withLock { $0.queue.count }
    var rounds = max(1, (queued + Self.batchSize - 1) / Self.batchSize)
    while await writeBatch() {
      rounds -= 1
      if rounds == 0 || state.withLock({ $0.queue.isEmpty }) { return }
    }
  }

  /// The writer: drains the queue whenever something is stored, until graceful shutdown or
  /// cancellation, then writes what is still queued.
  public func run() async throws {
    await withGracefulShutdownHandler {
      for await _ in wakeups {
        while await writeBatch(), !state.withLock({ $0.queue.isEmpty }) {}
      }
    } onGracefulShutdown: {
      self.wakeWriter.finish()
    }
    // A new task, so the final flush runs even when this one was cancelled.
    await Task { await self.flush() }.value
  }

  // MARK: Observing

  public var statistics: CacheStatistics {
    state.withLock { state in
      var statistics = CacheStatistics(tier: name, maximumEntries: options.maximumSymbols)
      statistics.entries = state.entries
      statistics.bytes = state.bytes
      statistics.hits = state.hits
      statistics.misses = state.misses
      statistics.insertions = state.insertions
      statistics.evictions = state.evictions
      statistics.unavailable = state.readProblem ?? state.writeProblem
      return statistics
    }
  }

  /// Values dropped because the write queue was full.
  public var droppedWrites: Int { state.withLock { $0.queue.droppedValues } }

  /// History blocks and bars in the file.
  public var storedHistory: (blocks: Int, bars: Int) { state.withLock { ($0.history.blocks, $0.history.bars) } }

  /// Rows skipped because their entry could not be decoded.
  public var unreadableEntries: Int { state.withLock { $0.unreadableEntries } }

  // MARK: Internals

  func pendingInvalidations() -> [InvalidationScope] {
    state.withLock { Array($0.queue.pendingInvalidations.values) }
  }

  func readFailed(_ error: any Error) {
    // A caller that gave up is not a database problem.
    guard !(error is CancellationError) else { return }
    let reason = "cannot read \(path): \(Self.describe(error))"
    let isNew = state.withLock { state in
      defer { state.readProblem = reason }
      return state.readProblem != reason
    }
    if isNew { logger.warning("SQLite tier read failed", metadata: ["reason": "\(reason)"]) }
  }

  /// A short reason for the cache pane: the SQLite message, without the statement.
  static func describe(_ error: any Error) -> String {
    guard let error = error as? DatabaseError else { return String(describing: error) }
    return "\(error.message ?? "SQLite error") (SQLite code \(error.resultCode.rawValue))"
  }

  /// Decodes `symbol, entry` rows, skipping and counting any that do not hold a quote for
  /// their own symbol.
  struct DecodedRows: Sendable {
    var quotes: [Quote] = []
    var unreadable = 0

    mutating func decode(_ db: Database, sql: String, arguments: StatementArguments) throws {
      let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
      while let row = try rows.next() {
        let symbol: DatabaseValue = row[0]
        let entry: DatabaseValue = row[1]
        guard case .string(let text) = symbol.storage, case .blob(let bytes) = entry.storage,
          let quote = try? QuoteEntryCodec.decode(bytes), quote.symbol.text == text
        else {
          unreadable += 1
          continue
        }
        quotes.append(quote)
      }
    }
  }

  /// A tick from an `as_of, price` row; nil for a row that is not one.
  static func tick(_ row: Row) -> Tick? {
    let asOf: DatabaseValue = row[0]
    let price: DatabaseValue = row[1]
    guard case .int64(let microseconds) = asOf.storage else { return nil }
    switch price.storage {
    case .double(let value): return Tick(asOf: QuoteEntryCodec.date(microseconds: microseconds), price: value)
    case .int64(let value): return Tick(asOf: QuoteEntryCodec.date(microseconds: microseconds), price: Double(value))
    default: return nil
    }
  }

  /// Quote and profile rows and file size, for the statistics (history blocks are tallied apart).
  static func footprint(_ db: Database) throws -> (entries: Int, bytes: Int) {
    let entries =
      try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM last_quote) + (SELECT COUNT(*) FROM profile)") ?? 0
    let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
    let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
    return (entries, pages * pageSize)
  }
}
