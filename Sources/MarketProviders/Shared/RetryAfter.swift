import Foundation

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
///
/// Parsed by hand rather than with `DateFormatter`, which is locale-sensitive and not
/// `Sendable`. All three date forms a recipient must accept are handled: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`).
public enum RetryAfter {
  /// Longer waits are clamped: a provider asking for a week is better retried tomorrow.
  public static let maximumDelay: Duration = .seconds(86_400)

  /// The delay to wait, measured from `now` for a date; nil when the value is neither form.
  /// A date in the past means "now" (`.zero`).
  public static func parse(_ value: String, now: Date) -> Duration? {
    let text = Substring(value).trimmingWhitespace()
    guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
    if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
      // Too many digits for Int64 is still a (very long) delay, not garbage.
      guard let seconds = Int64(text) else { return maximumDelay }
      return min(.seconds(seconds), maximumDelay)
    }
    guard let date = httpDate(String(text)) else { return nil }
    let interval = date.timeIntervalSince(now)
    guard interval > 0 else { return .zero }
    return min(.milliseconds(Int64(min(interval, maximumDelay.seconds) * 1000)), maximumDelay)
  }

  /// The instant an HTTP-date names, in any of the three accepted forms; nil otherwise.
  public static func httpDate(_ text: String) -> Date? {
    let separators: Set<Character> = [" ", ",", "-"]
    let tokens = text.split(whereSeparator: { separators.contains($0) })
    guard tokens.count >= 5, weekdays.contains(tokens[0].lowercased()) else { return nil }
    let day: Substring
    let month: Substring
    let yearToken: Substring
    let time: Substring
    if months[tokens[1].lowercased()] != nil {
      // asctime: weekday month day time year
      guard tokens.count == 5 else { return nil }
      (month, day, time, yearToken) = (tokens[1], tokens[2], tokens[3], tokens[4])
    } else {
      // IMF-fixdate and RFC 850: weekday day month year time GMT
      guard tokens.count == 6, tokens[5] == "GMT" else { return nil }
      (day, month, yearToken, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
    }
    guard let monthNumber = months[month.lowercased()], let dayNumber = Int(day), let yearNumber = Int(yearToken)
    else { return nil }
    let year: Int
    switch yearToken.count {
    case 4: year = yearNumber
    // RFC 850's two-digit years; no HTTP server predates 1970.
    case 2: year = yearNumber < 70 ? 2000 + yearNumber : 1900 + yearNumber
    default: return nil
    }
    let clock = time.split(separator: ":")
    guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = Int(clock[0]), let minute = Int(clock[1]),
      let second = Int(clock[2])
    else { return nil }
    return MarketTime.date(
      year: year, month: monthNumber, day: dayNumber, hour: hour, minute: minute, second: second, in: MarketTime.utc)
  }

  private static let weekdays: Set<String> = [
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  ]

  private static let months: [String: Int] = [
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
  ]
}
