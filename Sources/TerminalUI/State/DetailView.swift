import Foundation
import MarketCore

/// The detail view of one symbol (`Enter` on it): a chart of a window of its bars, its
/// profile, and where each came from. Both load as effects; until they answer the view says
/// it is loading, and a failure stays on screen as its class and reason.
public struct DetailView: Hashable, Sendable {
  /// The windows `←` and `→` step through, shortest first.
  public static let ranges: [HistoryRange] = [
    .oneDay, .fiveDays, .oneMonth, .threeMonths, .sixMonths, .yearToDate, .oneYear, .twoYears, .fiveYears, .tenYears, .max,
  ]
  /// The window a detail view opens on.
  public static let initialRange = HistoryRange.threeMonths
  /// More bars than this in one window is a download, not a chart: such intervals are skipped.
  static let maximumBars = 20_000
  /// Fewer bars than this is not a chart.
  static let minimumBars = 5

  public var symbol: Symbol
  public var range: HistoryRange
  public var interval: BarInterval
  public var series: DetailLoad<Served<HistorySeries>> = .loading
  public var profile: DetailLoad<Served<Profile>> = .loading

  public init(symbol: Symbol, range: HistoryRange = DetailView.initialRange, interval: BarInterval? = nil) {
    self.symbol = symbol
    self.range = range
    self.interval = interval ?? Self.usualInterval(for: range)
  }

  /// The request the chart shows; nil only if the window and interval cannot go together
  /// (the keys never choose such a pair).
  public var request: HistoryRequest? {
    try? HistoryRequest(symbol: symbol, interval: interval, window: .range(range))
  }

  /// The interval a window opens with: a few dozen to a few hundred bars.
  public static func usualInterval(for range: HistoryRange) -> BarInterval {
    switch range {
    case .oneDay: .fiveMinutes
    case .fiveDays: .thirtyMinutes
    case .oneMonth: .oneHour
    case .threeMonths, .sixMonths, .yearToDate, .oneYear: .oneDay
    case .twoYears, .fiveYears: .oneWeek
    case .tenYears, .max: .oneMonth
    }
  }

  /// The intervals worth charting over a window, finest first: the core accepts the pair,
  /// and the window holds between ``minimumBars`` and ``maximumBars`` bars.
  public static func intervals(for range: HistoryRange) -> [BarInterval] {
    BarInterval.allCases.filter { interval in
      if let days = interval.maximumWindowDays, range.longestDays > days { return false }
      let bars = Int64(range.longestDays) * 86_400 / interval.seconds
      return bars >= minimumBars && bars <= maximumBars
    }
  }
}

/// Something the detail view waits for: loading, there, or failed with a reason.
public enum DetailLoad<Value: Hashable & Sendable>: Hashable, Sendable {
  case loading
  case loaded(Value)
  case failed(DetailLoadError)

  public var value: Value? {
    if case .loaded(let value) = self { return value }
    return nil
  }
}

/// Why history or a profile could not be shown: a short stable class and the reason, both
/// shown in the view.
public struct DetailLoadError: Error, Hashable, Sendable, CustomStringConvertible {
  public var errorClass: String
  public var reason: String

  public init(errorClass: String, reason: String) {
    self.errorClass = errorClass
    self.reason = reason
  }

  public init(_ error: ReadError) {
    self.init(errorClass: error.errorClass, reason: error.description)
  }

  /// What a data source without history says.
  public static func notAvailable(_ what: String) -> DetailLoadError {
    DetailLoadError(errorClass: "not_available", reason: "\(what) is not available from this data source")
  }

  public var description: String { "\(errorClass): \(reason)" }
}
