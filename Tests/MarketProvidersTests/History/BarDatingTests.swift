import Foundation
import MarketCore
import Testing

@testable import MarketProviders

/// The one way every adapter dates and cleans bars.
@Suite struct BarDatingTests {
  let newYork = TimeZone(identifier: "America/New_York") ?? .gmt
  let auckland = TimeZone(identifier: "Pacific/Auckland") ?? .gmt

  @Test func readsAndWritesCalendarDates() {
    #expect(BarDating.day("2023-01-03") == day("2023-01-03"))
    #expect(BarDating.day("2024-02-29T00:00:00-05:00") == day("2024-02-29"))
    #expect(BarDating.day("1969-12-31") == -86_400)
    for bad in ["2023-02-29", "2023-13-01", "2023-1-03", "20230103", "", "2023-01-3x", "abcd-ef-gh"] {
      #expect(BarDating.day(bad) == nil, "\(bad)")
    }
    #expect(BarDating.day(compact: "20230103") == day("2023-01-03"))
    #expect(BarDating.text(ofDay: day("2000-02-29") + 3_600) == "2000-02-29")
    #expect(BarDating.compactText(ofDay: day("1999-12-31")) == "19991231")
    #expect(BarDating.text(ofDay: -86_400) == "1969-12-31")
  }

  @Test func datesAnInstantByTheExchangeCalendar() {
    // A New York open (09:30 EST) is 14:30 UTC the same day.
    #expect(BarDating.day(of: epoch("2023-01-03T14:30:00Z"), in: newYork) == day("2023-01-03"))
    // Polygon's daily bars start at midnight New York time, 05:00 UTC.
    #expect(BarDating.day(of: epoch("2023-01-03T05:00:00Z"), in: newYork) == day("2023-01-03"))
    // Auckland opens at 10:00 NZDT, 21:00 UTC the day before.
    #expect(BarDating.day(of: epoch("2023-01-02T21:00:00Z"), in: auckland) == day("2023-01-03"))
  }

  @Test func weeksStartOnMondayAndMonthsOnTheFirst() {
    // Friday 2023-01-06 (Stooq's and Alpha Vantage's weekly date) and Monday 2023-01-02
    // (Yahoo's) are the same week.
    #expect(BarDating.start(ofDay: day("2023-01-06"), .oneWeek) == day("2023-01-02"))
    #expect(BarDating.start(ofDay: day("2023-01-02"), .oneWeek) == day("2023-01-02"))
    #expect(BarDating.start(ofDay: day("2023-01-01"), .oneWeek) == day("2022-12-26"))
    #expect(BarDating.start(ofDay: day("2023-01-31"), .oneMonth) == day("2023-01-01"))
    #expect(BarDating.start(ofDay: day("2024-02-29"), .oneMonth) == day("2024-02-01"))
    #expect(BarDating.start(ofDay: day("2023-01-06"), .oneDay) == day("2023-01-06"))
    // The simulated market and the core's blocks agree.
    #expect(BarDating.mondayOnOrBefore(day("1970-01-05")) == day("1970-01-05"))
    #expect(BarDating.mondayOnOrBefore(day("1970-01-04")) == day("1969-12-29"))
  }

  @Test func asksWholeWeeksAndMonths() {
    let year = historyQuery("AAPL", .oneWeek, from: "2023-01-01", to: "2024-01-01")
    let weeks = BarDating.askedDays(for: year)
    #expect(weeks.first == day("2022-12-26") && weeks.last == day("2023-12-31"))
    let months = BarDating.askedDays(for: historyQuery("AAPL", .oneMonth, from: "2023-01-01", to: "2024-01-01"))
    #expect(months.first == day("2023-01-01") && months.last == day("2023-12-31"))
    let days = BarDating.askedDays(for: historyQuery("AAPL", .oneDay, from: "2023-01-01", to: "2023-02-01"))
    #expect(days.first == day("2023-01-01") && days.last == day("2023-01-31"))
  }

  @Test func rowsBecomeOrderedCleanBars() {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let rows = [
      BarRow(start: day("2023-01-04"), open: 126.89, high: 128.66, low: 125.08, close: 126.36, volume: 89_113_633),
      BarRow(start: day("2023-01-03"), open: 130.28, high: 130.9, low: 124.17, close: 125.07),
      BarRow(start: day("2023-01-05"), open: nil, high: nil, low: nil, close: nil),
      // Yahoo's live session again, later in the answer: the later row wins.
      BarRow(start: day("2023-01-04"), open: 126.89, high: 128.7, low: 125.08, close: 126.5, volume: 90_000_000),
      BarRow(start: day("2023-02-01"), open: 1, high: 1, low: 1, close: 1),
      BarRow(start: day("2022-12-30"), open: 1, high: 1, low: 1, close: 1),
    ]
    let bars = BarRows.bars(rows, for: query, decimals: 4)
    #expect(bars.map(\.start) == [day("2023-01-03"), day("2023-01-04")])
    #expect(bars[1].close == 126.5 && bars[1].volume == 90_000_000)
    #expect(bars[0].volume == nil)
  }

  @Test func roundingDropsNoiseButKeepsTinyPrices() {
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    let noisy = BarRow(
      start: day("2023-01-03"), open: 244.14999389648438, high: 245.17999267578125, low: 241.83999633789062,
      close: 244.47000122070312, adjustedClose: 0.09870000183582306)
    let bar = BarRows.bars([noisy], for: query, decimals: 2, float32: true)[0]
    #expect([bar.open, bar.high, bar.low, bar.close] == [244.15, 245.18, 241.84, 244.47])
    #expect(bar.adjustedClose == 0.0987)
    #expect(BarRows.roundedPrice(0.00001234, decimals: 4) == 0.00001234)
    #expect(BarRows.roundedPrice(0.00005, decimals: 4) == 0.00005)
    #expect(BarRows.roundedPrice(1.234567, decimals: 4) == 1.2346)
  }
}
