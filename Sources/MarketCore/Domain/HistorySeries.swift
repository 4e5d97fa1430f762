import Foundation

/// A symbol's bars over a window, as the core serves them: the bars, where they came from,
/// and what is missing.
public struct HistorySeries: MarketValue, Hashable {
  public var symbol: Symbol
  public var interval: BarInterval
  /// The window asked for, resolved to `[from, to)` epoch seconds.
  public var from: Int64
  public var to: Int64
  public var currency: String?
  /// The exchange's IANA time zone (`America/New_York`), when a provider named it.
  public var exchangeTimeZone: String?
  /// Oldest first, strictly increasing, never invented: a missing session is a gap.
  public var bars: [Bar]
  /// Every provider whose bars are in the series, the most recent block's first.
  public var sources: [ProviderID]
  /// When the oldest part of the series was received: its age is the series' age.
  public var receivedAt: Date
  public var isSimulated: Bool
  /// Stretches longer than the market's calendar allows between two bars.
  public var gaps: [Gap]

  public struct Gap: Hashable, Sendable, Codable {
    /// The last bar before the gap and the first after it (bar starts, epoch seconds).
    public var after: Int64
    public var before: Int64
  }

  public init(
    symbol: Symbol, interval: BarInterval, from: Int64, to: Int64, currency: String? = nil,
    exchangeTimeZone: String? = nil, bars: [Bar], sources: [ProviderID], receivedAt: Date, isSimulated: Bool,
    gaps: [Gap] = []
  ) {
    self.symbol = symbol
    self.interval = interval
    self.from = from
    self.to = to
    self.currency = currency
    self.exchangeTimeZone = exchangeTimeZone
    self.bars = bars
    self.sources = sources
    self.receivedAt = receivedAt
    self.isSimulated = isSimulated
    self.gaps = gaps
  }

  public var source: ProviderID { sources.first ?? ProviderID("none") }

  public var approximateByteCount: Int {
    MemoryLayout<HistorySeries>.stride + bars.count * MemoryLayout<Bar>.stride + sources.count * 32
  }

  /// The change from the first close to the last, and the highest high and lowest low.
  public var summary: (first: Bar, last: Bar, high: Double, low: Double, change: Double, changePercent: Double)? {
    guard let first = bars.first, let last = bars.last else { return nil }
    let high = bars.map(\.high).max() ?? last.high
    let low = bars.map(\.low).min() ?? last.low
    let change = last.close - first.close
    return (first, last, high, low, change, first.close == 0 ? 0 : change / first.close * 100)
  }
}

/// What one upstream history call brought back: bars oldest first, and what the provider
/// says about the listing.
public struct HistoryAnswer: Hashable, Sendable {
  public var bars: [Bar]
  public var currency: String?
  public var exchangeTimeZone: String?
  public var isSimulated: Bool

  public init(bars: [Bar], currency: String? = nil, exchangeTimeZone: String? = nil, isSimulated: Bool = false) {
    self.bars = bars
    self.currency = currency
    self.exchangeTimeZone = exchangeTimeZone
    self.isSimulated = isSimulated
  }
}

/// The unit history is cached, stored and fetched in: one symbol's bars of one interval over
/// one fixed calendar span (a UTC day of minute bars, a week of 5 to 30 minute bars, a month
/// of hourly or daily bars, a year of weekly or monthly ones). A window is a run of blocks;
/// a block before the last completed session never changes, so it is kept for good, and a
/// wider window fetches only the blocks it lacks.
public struct HistoryBlock: Hashable, Sendable, CustomStringConvertible {
  public let symbol: Symbol
  public let interval: BarInterval
  /// `[start, end)`, epoch seconds.
  public let start: Int64
  public let end: Int64

  public init(symbol: Symbol, interval: BarInterval, start: Int64, end: Int64) {
    self.symbol = symbol
    self.interval = interval
    self.start = start
    self.end = end
  }

  public var description: String {
    "\(symbol) \(interval) \(HistoryRequest.dayText(Date(timeIntervalSince1970: TimeInterval(start))))"
  }

  /// The blocks covering `[from, to)`, oldest first.
  public static func covering(_ symbol: Symbol, _ interval: BarInterval, from: Int64, to: Int64) -> [HistoryBlock] {
    guard from < to else { return [] }
    var blocks: [HistoryBlock] = []
    var start = blockStart(interval, containing: from)
    while start < to {
      let end = blockEnd(interval, startingAt: start)
      blocks.append(HistoryBlock(symbol: symbol, interval: interval, start: start, end: end))
      start = end
    }
    return blocks
  }

  /// The start of the block holding the instant `time`.
  static func blockStart(_ interval: BarInterval, containing time: Int64) -> Int64 {
    let date = Date(timeIntervalSince1970: TimeInterval(time))
    let calendar = Calendar.utc
    let start: Date
    switch interval {
    case .oneMinute:
      start = calendar.startOfDay(for: date)
    case .fiveMinutes, .fifteenMinutes, .thirtyMinutes:
      // Weeks from Monday 1970-01-05.
      let week: Int64 = 7 * 86_400
      let monday: Int64 = 4 * 86_400
      return ((time - monday) >= 0 ? (time - monday) / week : (time - monday - week + 1) / week) * week + monday
    case .oneHour, .oneDay:
      start = calendar.date(from: calendar.dateComponents([.year, .month], from: date)) ?? date
    case .oneWeek, .oneMonth:
      start = calendar.date(from: calendar.dateComponents([.year], from: date)) ?? date
    }
    return Int64(start.timeIntervalSince1970)
  }

  static func blockEnd(_ interval: BarInterval, startingAt start: Int64) -> Int64 {
    let date = Date(timeIntervalSince1970: TimeInterval(start))
    let calendar = Calendar.utc
    let end: Date?
    switch interval {
    case .oneMinute: return start + 86_400
    case .fiveMinutes, .fifteenMinutes, .thirtyMinutes: return start + 7 * 86_400
    case .oneHour, .oneDay: end = calendar.date(byAdding: .month, value: 1, to: date)
    case .oneWeek, .oneMonth: end = calendar.date(byAdding: .year, value: 1, to: date)
    }
    return end.map { Int64($0.timeIntervalSince1970) } ?? start + 366 * 86_400
  }
}

/// The bars of one block, as received from one provider: what memory, SQLite and Redis keep.
public struct BarBlock: MarketValue, Hashable {
  public var block: HistoryBlock
  /// Oldest first, each starting inside the block.
  public var bars: [Bar]
  public var currency: String?
  public var exchangeTimeZone: String?
  public var source: ProviderID
  public var receivedAt: Date
  public var isSimulated: Bool

  public init(
    block: HistoryBlock, bars: [Bar], currency: String? = nil, exchangeTimeZone: String? = nil, source: ProviderID,
    receivedAt: Date, isSimulated: Bool
  ) {
    self.block = block
    self.bars = bars
    self.currency = currency
    self.exchangeTimeZone = exchangeTimeZone
    self.source = source
    self.receivedAt = receivedAt
    self.isSimulated = isSimulated
  }

  public var approximateByteCount: Int {
    MemoryLayout<BarBlock>.stride + bars.count * MemoryLayout<Bar>.stride + source.name.utf8.count
  }

  /// Why these bars cannot be the block's, or nil: out of order, duplicated, outside the
  /// block, or a bar that is impossible on its own.
  public var problem: String? {
    var previous: Int64?
    for bar in bars {
      guard bar.start >= block.start, bar.start < block.end else {
        return "\(block): a bar at \(bar.start) lies outside the block"
      }
      if let previous, bar.start <= previous {
        return bar.start == previous
          ? "\(block): two bars start at \(bar.start)" : "\(block): bars go back in time at \(bar.start)"
      }
      if let problem = bar.problem { return "\(block) bar at \(bar.start): \(problem)" }
      previous = bar.start
    }
    return nil
  }
}
