import Foundation

/// When a market trades, as far as telling a gap in a series from a market that was shut:
/// crypto trades always; FX around the clock on weekdays; shares, indices and futures in
/// weekday sessions (a holiday is one missing weekday, not a gap). Bars are never invented:
/// a gap is reported, not filled.
struct MarketCalendar {
  enum Hours { case always, weekdays, weekdaySessions }

  let hours: Hours

  init(_ assetClass: AssetClass) {
    switch assetClass {
    case .crypto: hours = .always
    case .forex: hours = .weekdays
    case .equity, .index, .future: hours = .weekdaySessions
    }
  }

  func gaps(in bars: [Bar], interval: BarInterval) -> [HistorySeries.Gap] {
    var gaps: [HistorySeries.Gap] = []
    for (earlier, later) in zip(bars, bars.dropFirst()) where isGap(from: earlier.start, to: later.start, interval) {
      gaps.append(HistorySeries.Gap(after: earlier.start, before: later.start))
    }
    return gaps
  }

  private func isGap(from earlier: Int64, to later: Int64, _ interval: BarInterval) -> Bool {
    let step = later - earlier
    switch interval {
    case .oneWeek: return step > 14 * 86_400
    case .oneMonth: return step > 62 * 86_400
    case .oneDay:
      switch hours {
      case .always: return step > 86_400
      // More than one weekday missing between two sessions (one is a holiday).
      case .weekdays, .weekdaySessions: return Self.weekdays(after: earlier, before: later) > 1
      }
    case .oneMinute, .fiveMinutes, .fifteenMinutes, .thirtyMinutes, .oneHour:
      guard step > interval.seconds else { return false }
      switch hours {
      case .always: return true
      case .weekdays:
        return Self.weekdays(after: earlier, before: later) > 0 || step <= 86_400 && !Self.spansWeekend(earlier, later)
      // Sessions end every day: only a whole missing weekday is a gap.
      case .weekdaySessions: return Self.weekdays(after: earlier, before: later) > 1
      }
    }
  }

  /// Weekdays strictly between the UTC days of two instants.
  static func weekdays(after earlier: Int64, before later: Int64) -> Int {
    let first = earlier / 86_400 + 1
    let last = later / 86_400 - 1
    guard last >= first else { return 0 }
    var count = 0
    var day = first
    // At most a few weeks between two bars of any real series; a long hole is counted fully.
    while day <= last {
      // 1970-01-01 was a Thursday: day 0 is weekday index 3 (Monday = 0).
      if (day + 3) % 7 < 5 { count += 1 }
      day += 1
    }
    return count
  }

  static func spansWeekend(_ earlier: Int64, _ later: Int64) -> Bool {
    var day = earlier / 86_400
    while day <= later / 86_400 {
      if (day + 3) % 7 >= 5 { return true }
      day += 1
    }
    return false
  }
}
