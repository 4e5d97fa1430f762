import Foundation
import Testing

@testable import MarketCore

/// The integer UTC calendar that cuts history windows and blocks agrees with Foundation's
/// Gregorian calendar on UTC, which it replaced on the read path for speed.
@Suite("UTC days in integers")
struct UTCDaysTests {
  /// Instants from 1900 to 2200, a few per month, at odd times of day, and the month ends.
  static let instants: [Int64] = {
    var instants: [Int64] = []
    var time: Int64 = -2_208_988_800
    while time < 7_258_118_400 {
      instants.append(time)
      time += 9 * 86_400 + 3_671
    }
    for year in [1_900, 1_996, 2_000, 2_023, 2_024, 2_100] {
      for month in 1...12 {
        let day = UTCDays.days(year: Int64(year), month: Int64(month), day: 1) - 1
        instants.append(day * 86_400 + 86_399)
      }
    }
    return instants
  }()

  @Test("days, months and years start where Calendar says")
  func startsAgreeWithFoundation() {
    let calendar = Calendar.utc
    for time in Self.instants {
      let date = Date(timeIntervalSince1970: TimeInterval(time))
      let day = calendar.startOfDay(for: date)
      let month = calendar.date(from: calendar.dateComponents([.year, .month], from: date))
      let year = calendar.date(from: calendar.dateComponents([.year], from: date))
      #expect(UTCDays.startOfDay(time) == Int64(day.timeIntervalSince1970), "day of \(time)")
      #expect(UTCDays.startOfMonth(time) == month.map { Int64($0.timeIntervalSince1970) }, "month of \(time)")
      #expect(UTCDays.startOfYear(time) == year.map { Int64($0.timeIntervalSince1970) }, "year of \(time)")
      let weekday = calendar.component(.weekday, from: date)  // Sunday is 1
      #expect(UTCDays.weekday(ofDay: UTCDays.startOfDay(time) / 86_400) == Int64((weekday + 5) % 7), "weekday of \(time)")
    }
  }

  /// Foundation on Linux is not consistent for February 29 (less 24 months it gives March 1,
  /// less 12 months February 28); the rule here is always the clamp, checked on its own.
  @Test("adding months clamps the day as Calendar does", arguments: [-120, -60, -24, -12, -6, -3, -1, 1, 12])
  func addingMonthsAgreesWithFoundation(months: Int) {
    let calendar = Calendar.utc
    for time in Self.instants {
      let date = Date(timeIntervalSince1970: TimeInterval(time))
      let parts = calendar.dateComponents([.month, .day], from: date)
      if parts.month == 2 && parts.day == 29 { continue }
      let expected = calendar.date(byAdding: .month, value: months, to: date).map { Int64($0.timeIntervalSince1970) }
      #expect(UTCDays.adding(months: Int64(months), to: time) == expected, "\(months) months from \(time)")
    }
  }

  @Test("February 29 moved by whole years lands on February 28 of a common year")
  func leapDayClamps() {
    let leapDay = UTCDays.days(year: 2_024, month: 2, day: 29) * 86_400 + 3_600
    #expect(UTCDays.adding(months: -24, to: leapDay) == UTCDays.days(year: 2_022, month: 2, day: 28) * 86_400 + 3_600)
    #expect(UTCDays.adding(months: -48, to: leapDay) == UTCDays.days(year: 2_020, month: 2, day: 29) * 86_400 + 3_600)
    #expect(
      UTCDays.adding(months: -1, to: UTCDays.days(year: 2_025, month: 3, day: 31) * 86_400)
        == UTCDays.days(year: 2_025, month: 2, day: 28) * 86_400)
  }

  @Test("a civil date survives the round trip through its day number")
  func civilRoundTrip() {
    for day in stride(from: Int64(-800_000), through: 800_000, by: 997) {
      let date = UTCDays.civil(days: day)
      #expect(UTCDays.days(year: date.year, month: date.month, day: date.day) == day)
      #expect((1...UTCDays.length(ofMonth: date.month, year: date.year)).contains(date.day))
    }
  }
}
