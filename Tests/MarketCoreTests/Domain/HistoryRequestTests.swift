import Foundation
import MarketCore
import Testing

/// Requests as people and URLs write them: the API and the CLI read them through one parser,
/// so both accept and refuse the same things, with the same error classes.
@Suite("History requests from text")
struct HistoryRequestTests {
  let symbol = Symbol("AAPL")

  private func parse(
    interval: String? = nil, range: String? = nil, from: String? = nil, to: String? = nil
  ) -> Result<HistoryRequest, HistoryRequestError> {
    Result { () throws(HistoryRequestError) in
      try HistoryRequest(symbol: symbol, interval: interval, range: range, from: from, to: to)
    }
  }

  @Test(
    "1d and 5d count sessions: a weekend day reaches back to Friday",
    arguments: [
      // Saturday 2026-12-05 10:00: 1d is Friday, 5d starts on Monday the 30th.
      (1_796_428_800 + 36_000, HistoryRange.oneDay, 1_796_342_400),
      (1_796_428_800 + 36_000, HistoryRange.fiveDays, 1_795_996_800),
      // Monday 2026-12-07 15:00: 1d is that Monday, 5d starts on Tuesday the 1st.
      (1_796_601_600 + 54_000, HistoryRange.oneDay, 1_796_601_600),
      (1_796_601_600 + 54_000, HistoryRange.fiveDays, 1_796_083_200),
    ] as [(Int64, HistoryRange, Int64)])
  func sessionRanges(now: Int64, range: HistoryRange, from: Int64) {
    let bounds = HistoryWindow.range(range).bounds(now: Date(timeIntervalSince1970: TimeInterval(now)))
    #expect(bounds.from == from)
    #expect(bounds.to == now + 1)
    #expect(Int((bounds.to - bounds.from) / 86_400) < range.longestDays)
  }

  @Test("nothing given is a year of daily bars")
  func defaults() throws {
    let request = try parse().get()
    #expect(request.interval == .oneDay)
    #expect(request.window == .range(.oneYear))
  }

  @Test("a range, or both dates, each read exactly")
  func windows() throws {
    #expect(try parse(interval: "1h", range: "5d").get().window == .range(.fiveDays))
    let dated = try parse(from: "2024-02-28", to: "2024-03-01").get()
    let from = try #require(HistoryRequest.day("2024-02-28"))
    let to = try #require(HistoryRequest.day("2024-03-01"))
    #expect(dated.window == .dates(from: from, to: to))
  }

  @Test("a request's query text reads back into the same request")
  func queryRoundTrip() throws {
    let examples: [(String, String?, String?, String?)] = [("1d", "1mo", nil, nil), ("1h", nil, "2025-01-02", "2025-01-31")]
    for (interval, range, from, to) in examples {
      let request = try parse(interval: interval, range: range, from: from, to: to).get()
      var fields: [String: String] = [:]
      for pair in request.query.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        fields[parts[0]] = parts[1]
      }
      #expect(fields == ["interval": interval, "range": range, "from": from, "to": to].compactMapValues { $0 })
      let again = try parse(interval: fields["interval"], range: fields["range"], from: fields["from"], to: fields["to"]).get()
      #expect(again == request)
    }
  }

  /// One refused request: what was given, and the class it must be refused with.
  struct Refusal: Sendable, CustomTestStringConvertible {
    var interval: String?
    var range: String?
    var from: String?
    var to: String?
    var errorClass: String
    var testDescription: String { "\(errorClass): \([interval, range, from, to].map { $0 ?? "-" })" }
  }

  static let refusals = [
    Refusal(interval: "2h", errorClass: "invalid_interval"),
    Refusal(range: "7y", errorClass: "invalid_range"),
    Refusal(from: "2025-02-01", to: "2025-01-01", errorClass: "invalid_window"),
    Refusal(interval: "1m", from: "1975-01-01", to: "2024-12-31", errorClass: "window_too_long"),
    Refusal(range: "1y", from: "2025-01-01", errorClass: "invalid_window"),
    Refusal(from: "2025-01-01", errorClass: "invalid_window"),
    Refusal(from: "2025-02-30", to: "2025-03-01", errorClass: "invalid_date"),
  ]

  @Test("each kind of bad request has its own stable class", arguments: refusals)
  func refused(_ refusal: Refusal) {
    let result = parse(interval: refusal.interval, range: refusal.range, from: refusal.from, to: refusal.to)
    guard case .failure(let error) = result else {
      Issue.record("accepted")
      return
    }
    #expect(error.errorClass == refusal.errorClass, "\(error)")
  }
}
