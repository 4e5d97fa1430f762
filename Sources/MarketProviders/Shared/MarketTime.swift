import Foundation

/// Turns the many ways providers write a time into a `Date` (an instant, so UTC by nature).
///
/// Epochs come in seconds (Yahoo, Finnhub, FMP), milliseconds (Polygon aggregates) and
/// nanoseconds (Polygon trades); local wall times come without a zone (Stooq in Warsaw time,
/// OpenBB's naive ISO strings), so the caller names the zone they are in.
public enum MarketTime {
  public static let utc = TimeZone.gmt

  /// Epochs later than this are not market data (year 2200); catches a unit mix-up early.
  static let latestPlausibleEpochSeconds: Int64 = 7_258_118_400

  public static func date(epochSeconds: Int64) -> Date? {
    guard epochSeconds > 0, epochSeconds < latestPlausibleEpochSeconds else { return nil }
    return Date(timeIntervalSince1970: TimeInterval(epochSeconds))
  }

  public static func date(epochMilliseconds: Int64) -> Date? {
    guard epochMilliseconds > 0, epochMilliseconds / 1000 < latestPlausibleEpochSeconds else { return nil }
    return Date(timeIntervalSince1970: TimeInterval(epochMilliseconds / 1000) + TimeInterval(epochMilliseconds % 1000) / 1e3)
  }

  /// Nanoseconds exceed 2^53, so they are taken as `Int64` and split before any `Double`.
  public static func date(epochNanoseconds: Int64) -> Date? {
    let seconds = epochNanoseconds / 1_000_000_000
    guard epochNanoseconds > 0, seconds < latestPlausibleEpochSeconds else { return nil }
    let remainder = epochNanoseconds % 1_000_000_000
    return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(remainder) / 1e9)
  }

  /// A wall-clock time in `zone`; nil for impossible fields (month 13, 31 February, 25:00).
  public static func date(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0,
    in zone: TimeZone
  ) -> Date? {
    guard (1970...2199).contains(year), (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...60).contains(second), (0..<1_000_000_000).contains(nanosecond)
    else { return nil }
    // Reject 31 February and the like by checking the day survives a round trip in UTC,
    // where no daylight-saving gap can move it.
    guard let midnight = utcCalendar.date(from: DateComponents(year: year, month: month, day: day)),
      utcCalendar.component(.day, from: midnight) == day
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let components = DateComponents(
      year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59), nanosecond: nanosecond)
    return calendar.date(from: components)
  }

  /// `YYYY-MM-DD` and an optional `HH:MM[:SS]`, read as wall time in `zone`.
  public static func date(localDate: Substring, time: Substring?, in zone: TimeZone) -> Date? {
    guard let (year, month, day) = calendarDate(localDate) else { return nil }
    guard let time else { return date(year: year, month: month, day: day, in: zone) }
    guard let (hour, minute, second, nanosecond) = clockTime(time) else { return nil }
    return date(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond, in: zone)
  }

  /// ISO 8601 date-time (`2025-09-22T20:00:01`, `…T20:00:01.488118`, `…Z`, `…+00:00`, a space
  /// instead of `T`); without a zone designator it is read in `assumedZone`.
  public static func date(iso8601 text: some StringProtocol, assumedZone: TimeZone) -> Date? {
    let trimmed = Substring(text).trimmingWhitespace()
    guard trimmed.utf8.count >= 10, trimmed.utf8.count <= 40 else { return nil }
    let dateEnd = trimmed.index(trimmed.startIndex, offsetBy: 10)
    guard let (year, month, day) = calendarDate(trimmed[..<dateEnd]) else { return nil }
    var rest = trimmed[dateEnd...]
    guard let separator = rest.first else { return date(year: year, month: month, day: day, in: assumedZone) }
    guard separator == "T" || separator == " " else { return nil }
    rest = rest.dropFirst()
    var zone = assumedZone
    if rest.hasSuffix("Z") {
      zone = utc
      rest = rest.dropLast()
    } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
      guard let offset = zoneOffsetSeconds(rest[signIndex...]), let fixed = TimeZone(secondsFromGMT: offset) else {
        return nil
      }
      zone = fixed
      rest = rest[..<signIndex]
    }
    guard let (hour, minute, second, nanosecond) = clockTime(rest) else { return nil }
    return date(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond, in: zone)
  }

  private static let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    return calendar
  }()

  private static func calendarDate(_ text: Substring) -> (Int, Int, Int)? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    return (year, month, day)
  }

  /// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction` (fraction up to nanoseconds).
  private static func clockTime(_ text: Substring) -> (Int, Int, Int, Int)? {
    var fraction = 0
    var main = text
    if let point = text.firstIndex(of: ".") {
      let digits = text[text.index(after: point)...]
      guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits) else {
        return nil
      }
      fraction = value * Int(pow(10, Double(9 - digits.count)))
      main = text[..<point]
    }
    let parts = main.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
      let hour = Int(parts[0]), let minute = Int(parts[1])
    else { return nil }
    let second = parts.count == 3 ? Int(parts[2]) ?? 0 : 0
    return (hour, minute, second, fraction)
  }

  /// `+HH:MM`, `+HHMM` or `+HH`.
  private static func zoneOffsetSeconds(_ text: Substring) -> Int? {
    guard let sign = text.first else { return nil }
    let digits = text.dropFirst().filter { $0 != ":" }
    guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCIIDigit),
      let hours = Int(digits.prefix(2)), let minutes = Int(digits.dropFirst(2).isEmpty ? "0" : String(digits.dropFirst(2))),
      hours <= 18, minutes < 60
    else { return nil }
    let seconds = hours * 3600 + minutes * 60
    return sign == "-" ? -seconds : seconds
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}
