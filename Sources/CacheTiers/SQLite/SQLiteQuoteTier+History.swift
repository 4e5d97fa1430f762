import Foundation
import GRDB
import MarketCore

/// Blocks of history bars: a coverage row per block in `history_block`, the bars in
/// `history_bar`. A read touches each series it served, so the series read least recently are
/// the first evicted when the bars pass the cap.
extension SQLiteQuoteTier {
  public func load(_ blocks: [HistoryBlock]) async -> [HistoryBlock: BarBlock] {
    let hidden = pendingInvalidations()
    var wanted: [SeriesKey: [HistoryBlock]] = [:]
    for block in Set(blocks) where !hidden.contains(where: { $0.matches(block.key) }) {
      wanted[SeriesKey(symbol: block.symbol, interval: block.interval), default: []].append(block)
    }
    guard !wanted.isEmpty else {
      state.withLock { $0.misses += blocks.count }
      return [:]
    }
    var found: [HistoryBlock: BarBlock] = [:]
    let series = wanted
    do {
      let read = try await pool.read { db in
        var read = BlockRows()
        for (series, blocks) in series { try read.load(series, blocks.sorted { $0.start < $1.start }, db) }
        return read
      }
      found = read.blocks
      state.withLock { $0.unreadableEntries += read.unreadable }
      if read.unreadable > 0 {
        logger.warning("SQLite tier skipped unreadable history blocks", metadata: ["count": "\(read.unreadable)"])
      }
      let now = EntryEnvelope.microseconds(clock.wallNow()) / 1_000_000
      state.withLock { state in
        state.readProblem = nil
        for block in found.keys { state.touches[SeriesKey(symbol: block.symbol, interval: block.interval)] = now }
      }
    } catch {
      readFailed(error)
    }
    state.withLock {
      $0.hits += found.count
      $0.misses += blocks.count - found.count
    }
    return found
  }

  /// Queues blocks to keep; returns at once. Each is written with its bars in one transaction.
  public func store(_ blocks: [BarBlock]) {
    guard !blocks.isEmpty else { return }
    state.withLock { state in
      for block in blocks { state.queue.store(block) }
    }
    wakeWriter.yield()
  }

  /// Blocks read back from their coverage rows and bars, skipping and counting any whose rows
  /// do not add up (a damaged file, a row this build cannot read).
  struct BlockRows: Sendable {
    var blocks: [HistoryBlock: BarBlock] = [:]
    var unreadable = 0

    /// The wanted blocks of one series (oldest first) that the file covers: their coverage
    /// rows in one key range, then one key range of bars per run of adjacent blocks.
    mutating func load(_ series: SeriesKey, _ wanted: [HistoryBlock], _ db: Database) throws {
      guard let first = wanted.first, let last = wanted.last else { return }
      let symbol = series.symbol.text
      let interval = series.interval.rawValue
      let wantedByStart = Dictionary(wanted.map { ($0.start, $0) }) { first, _ in first }
      let coverage = try db.cachedStatement(
        sql: """
          SELECT block_start, block_end, source, received_at, currency, time_zone, simulated, bar_count
          FROM history_block WHERE symbol = ? AND interval = ? AND block_start >= ? AND block_start <= ?
          ORDER BY block_start
          """)
      var covered: [(value: BarBlock, count: Int)] = []
      let rows = try Row.fetchCursor(coverage, arguments: [symbol, interval, first.start, last.start])
      while let row = try rows.next() {
        let startValue: DatabaseValue = row[0]
        guard case .int64(let start) = startValue.storage, let block = wantedByStart[start] else { continue }
        guard let value = Self.coverage(row, series, start: start) else {
          unreadable += 1
          continue
        }
        // A block of another span under the same start is not the one asked for.
        if value.value.block == block { covered.append(value) }
      }
      var index = 0
      while index < covered.count {
        // A run of blocks that follow each other end to start: one range of bars.
        var end = index + 1
        while end < covered.count, covered[end].value.block.start == covered[end - 1].value.block.end { end += 1 }
        try loadBars(of: covered[index..<end], symbol: symbol, interval: interval, db)
        index = end
      }
    }

    private mutating func loadBars(
      of run: ArraySlice<(value: BarBlock, count: Int)>, symbol: String, interval: String, _ db: Database
    ) throws {
      guard let first = run.first, let last = run.last else { return }
      let statement = try db.cachedStatement(
        sql: """
          SELECT time, open, high, low, close, adj_close, volume FROM history_bar
          WHERE symbol = ? AND interval = ? AND time >= ? AND time < ? ORDER BY time
          """)
      var blocks = Array(run)
      var current = 0
      var damaged = Set<Int>()
      for index in blocks.indices { blocks[index].value.bars.reserveCapacity(blocks[index].count) }
      let rows = try Row.fetchCursor(
        statement, arguments: [symbol, interval, first.value.block.start, last.value.block.end])
      while let row = try rows.next() {
        let timeValue: DatabaseValue = row[0]
        guard case .int64(let time) = timeValue.storage else {
          // Which block it belonged to is unknown: the whole run is suspect.
          damaged.formUnion(blocks.indices)
          continue
        }
        while current < blocks.count, time >= blocks[current].value.block.end { current += 1 }
        guard current < blocks.count else { break }
        guard let bar = Self.bar(row, start: time) else {
          damaged.insert(current)
          continue
        }
        blocks[current].value.bars.append(bar)
      }
      for (index, block) in blocks.enumerated() {
        // The coverage row says how many bars the block was written with: fewer or more
        // means the file lost or gained rows behind the writer's back.
        guard !damaged.contains(index), block.value.bars.count == block.count else {
          unreadable += 1
          continue
        }
        self.blocks[block.value.block] = block.value
      }
    }

    /// A block without its bars from a coverage row; nil for a row that is not one.
    static func coverage(_ row: Row, _ series: SeriesKey, start: Int64) -> (value: BarBlock, count: Int)? {
      let end: DatabaseValue = row[1]
      let source: DatabaseValue = row[2]
      let receivedAt: DatabaseValue = row[3]
      let currency: DatabaseValue = row[4]
      let timeZone: DatabaseValue = row[5]
      let simulated: DatabaseValue = row[6]
      let count: DatabaseValue = row[7]
      guard case .int64(let endTime) = end.storage, endTime > start, case .string(let sourceName) = source.storage,
        case .int64(let microseconds) = receivedAt.storage, case .int64(let isSimulated) = simulated.storage,
        case .int64(let barCount) = count.storage, barCount >= 0, barCount <= BarBlockCodec.maximumBarCount,
        let currencyText = optionalText(currency), let timeZoneText = optionalText(timeZone)
      else { return nil }
      let block = HistoryBlock(symbol: series.symbol, interval: series.interval, start: start, end: endTime)
      let value = BarBlock(
        block: block, bars: [], currency: currencyText, exchangeTimeZone: timeZoneText,
        source: ProviderID(sourceName), receivedAt: EntryEnvelope.date(microseconds: microseconds),
        isSimulated: isSimulated != 0)
      return (value, Int(barCount))
    }

    /// A nullable text column: `.some(nil)` for NULL, nil for anything but text or NULL.
    private static func optionalText(_ value: DatabaseValue) -> String?? {
      switch value.storage {
      case .null: .some(nil)
      case .string(let text): .some(text)
      default: nil
      }
    }

    /// A bar from a `time, open, high, low, close, adj_close, volume` row; nil for a row whose
    /// prices are missing or not numbers.
    static func bar(_ row: Row, start: Int64) -> Bar? {
      guard let open = number(row[1]), let high = number(row[2]), let low = number(row[3]), let close = number(row[4])
      else { return nil }
      let adjustedValue: DatabaseValue = row[5]
      let volumeValue: DatabaseValue = row[6]
      var adjustedClose: Double?
      if !adjustedValue.isNull {
        guard let value = number(adjustedValue) else { return nil }
        adjustedClose = value
      }
      var volume: Double?
      if !volumeValue.isNull {
        guard let value = number(volumeValue) else { return nil }
        volume = value
      }
      return Bar(start: start, open: open, high: high, low: low, close: close, adjustedClose: adjustedClose, volume: volume)
    }

    /// SQLite keeps a REAL that happens to be whole as REAL, but a value written as an integer
    /// by another tool is read as one too.
    private static func number(_ value: DatabaseValue) -> Double? {
      switch value.storage {
      case .double(let number): number
      case .int64(let number): Double(number)
      default: nil
      }
    }
  }
}
