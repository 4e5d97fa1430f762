import Foundation

/// How far back a series goes, as agents and charts name it.
public enum HistoryRange: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case oneDay = "1d"
  case fiveDays = "5d"
  case oneMonth = "1mo"
  case threeMonths = "3mo"
  case sixMonths = "6mo"
  case yearToDate = "ytd"
  case oneYear = "1y"
  case twoYears = "2y"
  case fiveYears = "5y"
  case tenYears = "10y"
  case max

  public var description: String { rawValue }

  /// The most days the range can span, whatever day it ends on.
  public var longestDays: Int {
    switch self {
    case .oneDay: 3
    case .fiveDays: 7
    case .oneMonth: 32
    case .threeMonths: 93
    case .sixMonths: 185
    case .yearToDate, .oneYear: 367
    case .twoYears: 732
    case .fiveYears: 1_828
    case .tenYears: 3_654
    case .max: 366 * 60
    }
  }

  /// The first midnight of the window ending on the UTC day of `now` (epoch seconds). `1d`
  /// and `5d` count weekdays, as trading sessions: on a Saturday `1d` is Friday, not an
  /// empty day.
  func start(endingAt now: Int64) -> Int64 {
    let today = UTCDays.startOfDay(now)
    switch self {
    case .oneDay: return Self.weekdays(1, endingOn: today)
    case .fiveDays: return Self.weekdays(5, endingOn: today)
    case .oneMonth: return UTCDays.adding(months: -1, to: today)
    case .threeMonths: return UTCDays.adding(months: -3, to: today)
    case .sixMonths: return UTCDays.adding(months: -6, to: today)
    case .yearToDate: return UTCDays.startOfYear(today)
    case .oneYear: return UTCDays.adding(months: -12, to: today)
    case .twoYears: return UTCDays.adding(months: -24, to: today)
    case .fiveYears: return UTCDays.adding(months: -60, to: today)
    case .tenYears: return UTCDays.adding(months: -120, to: today)
    case .max: return Int64(HistoryWindow.earliest.timeIntervalSince1970)
    }
  }

  /// The midnight that starts the `count`th most recent weekday on or before `day`.
  private static func weekdays(_ count: Int, endingOn day: Int64) -> Int64 {
    var start = day
    var found = 0
    while true {
      if UTCDays.weekday(ofDay: start / UTCDays.secondsPerDay) < 5 { found += 1 }
      if found == count { return start }
      start -= UTCDays.secondsPerDay
    }
  }
}

/// The span of a series: a named range ending now, or explicit calendar dates.
public enum HistoryWindow: Hashable, Sendable, CustomStringConvertible {
  case range(HistoryRange)
  /// Whole UTC days, both included (`from` and `to` are midnights).
  case dates(from: Date, to: Date)

  /// The earliest date any provider is asked about ("max").
  public static let earliest = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01

  /// The window as `[from, to)` in epoch seconds, resolved on `now`.
  public func bounds(now: Date) -> (from: Int64, to: Int64) {
    switch self {
    case .range(let range):
      let now = Int64(now.timeIntervalSince1970.rounded(.down))
      return (range.start(endingAt: now), now + 1)
    case .dates(let from, let to):
      let end = UTCDays.startOfDay(Int64(to.timeIntervalSince1970.rounded(.down))) + UTCDays.secondsPerDay
      return (UTCDays.startOfDay(Int64(from.timeIntervalSince1970.rounded(.down))), end)
    }
  }

  public var description: String {
    switch self {
    case .range(let range): range.rawValue
    case .dates(let from, let to): "\(HistoryRequest.dayText(from))..\(HistoryRequest.dayText(to))"
    }
  }
}

/// What a caller asks for: a symbol's bars of one interval over one window.
public struct HistoryRequest: Hashable, Sendable, CustomStringConvertible {
  public let symbol: Symbol
  public let interval: BarInterval
  public let window: HistoryWindow

  /// Checks the window against the interval: `from` after `to`, or an intraday window longer
  /// than providers keep, is a typed error rather than a request no one can answer.
  public init(symbol: Symbol, interval: BarInterval = .oneDay, window: HistoryWindow = .range(.oneYear))
    throws(HistoryRequestError)
  {
    if case .dates(let from, let to) = window, from > to {
      throw .fromAfterTo(from: Self.dayText(from), to: Self.dayText(to))
    }
    if let days = interval.maximumWindowDays {
      let span: Int
      switch window {
      case .range(let range):
        span = range.longestDays
      case .dates(let from, let to):
        span = Int(to.timeIntervalSince(from) / 86_400) + 1
      }
      if span > days { throw .windowTooLong(interval: interval, maximumDays: days) }
    }
    self.symbol = symbol
    self.interval = interval
    self.window = window
  }

  public var description: String { "\(symbol) \(interval) \(window)" }

  /// The request as the query text the API reads back into it: `interval=1d&range=1mo`, or
  /// `interval=1h&from=2025-01-02&to=2025-01-31`. Clients of the API and the agents' tools
  /// name the route's URL with it.
  public var query: String {
    switch window {
    case .range(let range): "interval=\(interval.rawValue)&range=\(range.rawValue)"
    case .dates(let from, let to):
      "interval=\(interval.rawValue)&from=\(Self.dayText(from))&to=\(Self.dayText(to))"
    }
  }

  /// `YYYY-MM-DD` of a UTC day.
  /// A request as people and URLs write it: an interval (default `1d`), and a preset range
  /// (default `1y`) or both `from` and `to` as `YYYY-MM-DD`. The API and the CLI both read
  /// requests through this, so they accept and refuse the same things.
  public init(
    symbol: Symbol, interval intervalText: String?, range rangeText: String?, from fromText: String?, to toText: String?
  ) throws(HistoryRequestError) {
    let intervalText = intervalText ?? BarInterval.oneDay.rawValue
    guard let interval = BarInterval(rawValue: intervalText) else { throw .unknownInterval(intervalText) }
    let window: HistoryWindow
    switch (rangeText, fromText, toText) {
    case (nil, nil, nil):
      window = .range(.oneYear)
    case (let text?, nil, nil):
      guard let range = HistoryRange(rawValue: text) else { throw .unknownRange(text) }
      window = .range(range)
    case (nil, let from?, let to?):
      guard let start = Self.day(from) else { throw .badDate(from) }
      guard let end = Self.day(to) else { throw .badDate(to) }
      window = .dates(from: start, to: end)
    default:
      throw .mixedWindow
    }
    try self.init(symbol: symbol, interval: interval, window: window)
  }

  public static func dayText(_ date: Date) -> String {
    let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
    let year = parts.year ?? 1970
    let month = parts.month ?? 1
    let day = parts.day ?? 1
    return String(format: "%04d-%02d-%02d", year, month, day)
  }

  /// A `YYYY-MM-DD` date as its UTC midnight; nil for anything else.
  public static func day(_ text: some StringProtocol) -> Date? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...12).contains(month), (1...31).contains(day), (1900...2200).contains(year)
    else { return nil }
    let components = DateComponents(calendar: Calendar.utc, timeZone: .gmt, year: year, month: month, day: day)
    guard let date = Calendar.utc.date(from: components),
      Calendar.utc.component(.day, from: date) == day
    else { return nil }
    return date
  }
}

/// Why a history request cannot be asked, in words a caller can act on.
public enum HistoryRequestError: Error, Hashable, Sendable, CustomStringConvertible {
  case fromAfterTo(from: String, to: String)
  case windowTooLong(interval: BarInterval, maximumDays: Int)
  case unknownInterval(String)
  case unknownRange(String)
  case badDate(String)
  /// Both a preset range and dates, or only one of `from` and `to`.
  case mixedWindow

  /// A short, stable class for API error bodies.
  public var errorClass: String {
    switch self {
    case .fromAfterTo, .mixedWindow: "invalid_window"
    case .windowTooLong: "window_too_long"
    case .unknownInterval: "invalid_interval"
    case .unknownRange: "invalid_range"
    case .badDate: "invalid_date"
    }
  }

  public var description: String {
    switch self {
    case .fromAfterTo(let from, let to): "from (\(from)) is after to (\(to))"
    case .windowTooLong(let interval, let days):
      "\(interval) bars are kept for at most \(days) days; ask for a shorter window or a longer interval"
    case .unknownInterval(let text):
      "unknown interval \(ProviderError.sanitizedExcerpt(text, limit: 12)) (one of: "
        + BarInterval.allCases.map(\.rawValue).joined(separator: " ") + ")"
    case .unknownRange(let text):
      "unknown range \(ProviderError.sanitizedExcerpt(text, limit: 12)) (one of: "
        + HistoryRange.allCases.map(\.rawValue).joined(separator: " ") + ")"
    case .badDate(let text): "\(ProviderError.sanitizedExcerpt(text, limit: 24)) is not a date (YYYY-MM-DD)"
    case .mixedWindow: "give a range, or both from and to (YYYY-MM-DD), not a mix"
    }
  }
}

extension Calendar {
  /// The Gregorian calendar on UTC: how bar blocks and windows are cut.
  public static let utc: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    return calendar
  }()
}
