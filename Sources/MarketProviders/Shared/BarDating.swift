import Foundation
import MarketCore

/// How a bar's start is written (``Bar``): intraday bars at their UTC instant; daily bars at
/// the exchange-local calendar date, as that date's 00:00 UTC; weekly bars at the Monday of
/// their week and monthly bars at the first of their month, whichever day of the period the
/// provider dates them by (Yahoo the first session, Stooq and Alpha Vantage the last), so
/// every provider's week is the same bar and the simulated market's too.
///
/// Dates are plain arithmetic on days since 1970 (proleptic Gregorian), with no calendar
/// object and no locale.
enum BarDating {
  static let secondsPerDay: Int64 = 86_400

  /// The UTC midnight starting the UTC day that holds `instant`.
  static func floorDay(_ instant: Int64) -> Int64 {
    UTCDays.startOfDay(instant)
  }

  /// The calendar date `instant` falls on in `zone`, as that date's 00:00 UTC.
  static func day(of instant: Int64, in zone: TimeZone) -> Int64 {
    let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    return floorDay(instant + offset)
  }

  /// `YYYY-MM-DD` at the start of `text` (anything after it, a time, is ignored), as that
  /// date's 00:00 UTC; nil for anything else, impossible dates (31 February) included.
  static func day(_ text: some StringProtocol) -> Int64? {
    let bytes = Array(text.utf8.prefix(10))
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
    func number(_ range: Range<Int>) -> Int64? {
      var value: Int64 = 0
      for byte in bytes[range] {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int64(byte - UInt8(ascii: "0"))
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
    return self.day(year: year, month: month, day: day)
  }

  /// `YYYYMMDD` (Stooq's `d1`/`d2`), as that date's 00:00 UTC; nil for anything else.
  static func day(compact text: some StringProtocol) -> Int64? {
    let digits = String(text)
    guard digits.utf8.count == 8 else { return nil }
    let index = digits.index(digits.startIndex, offsetBy: 4)
    let middle = digits.index(index, offsetBy: 2)
    return day(digits[..<index] + "-" + digits[index..<middle] + "-" + digits[middle...])
  }

  /// The date, as 00:00 UTC, of a valid calendar day between 1900 and 2199; nil otherwise.
  static func day(year: Int64, month: Int64, day: Int64) -> Int64? {
    guard (1900...2199).contains(year), (1...12).contains(month), day >= 1, day <= UTCDays.length(ofMonth: month, year: year)
    else {
      return nil
    }
    return UTCDays.days(year: year, month: month, day: day) * secondsPerDay
  }

  /// `YYYY-MM-DD` of the UTC day holding `instant`.
  static func text(ofDay instant: Int64) -> String {
    let (year, month, day) = UTCDays.civil(days: UTCDays.floorDivide(instant, secondsPerDay))
    return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
  }

  /// `YYYYMMDD` of the UTC day holding `instant`.
  static func compactText(ofDay instant: Int64) -> String {
    text(ofDay: instant).replacingAll("-", with: "")
  }

  /// The start a bar of `interval` carries when the provider dates it by `day` (00:00 UTC of
  /// a date in its period): the date itself for daily bars, its week's Monday for weekly ones,
  /// its month's first day for monthly ones. Intraday starts are instants and stay as they are.
  static func start(ofDay day: Int64, _ interval: BarInterval) -> Int64 {
    switch interval {
    case .oneWeek: return mondayOnOrBefore(day)
    case .oneMonth:
      let (year, month, _) = UTCDays.civil(days: UTCDays.floorDivide(day, secondsPerDay))
      return UTCDays.days(year: year, month: month, day: 1) * secondsPerDay
    default: return day
    }
  }

  /// 00:00 UTC of the Monday on or before the day holding `instant` (1970-01-05 was a Monday).
  static func mondayOnOrBefore(_ instant: Int64) -> Int64 {
    let days = UTCDays.floorDivide(instant, secondsPerDay)
    let weekday = (days - 4) - UTCDays.floorDivide(days - 4, 7) * 7
    return (days - weekday) * secondsPerDay
  }

  /// The window to ask a provider that dates bars by days, so that a bar whose normalised
  /// start lies in `[from, to)` is inside what comes back: weekly windows widen to whole
  /// weeks (Monday to Sunday) and monthly ones to whole months, so the last week of a year is
  /// never cut at the year's end.
  static func askedDays(for query: HistoryQuery) -> (first: Int64, last: Int64) {
    let first = floorDay(query.from)
    let last = floorDay(max(query.from, query.to - 1))
    switch query.interval {
    case .oneWeek:
      return (mondayOnOrBefore(first), mondayOnOrBefore(last) + 6 * secondsPerDay)
    case .oneMonth:
      let start = self.start(ofDay: first, .oneMonth)
      let (year, month, _) = UTCDays.civil(days: UTCDays.floorDivide(last, secondsPerDay))
      return (start, UTCDays.days(year: year, month: month, day: UTCDays.length(ofMonth: month, year: year)) * secondsPerDay)
    default:
      return (first, last)
    }
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
