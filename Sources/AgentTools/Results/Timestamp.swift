import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ISO 8601 UTC times to the second (`2025-11-29T00:00:00Z`), exactly as the control API's
/// `JSONEncoder` writes them, without a formatter on every quote.
enum Timestamp {
  static func iso8601(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00Z" }
    var text = ""
    text.reserveCapacity(20)
    append(Int(parts.tm_year) + 1900, width: 4, to: &text)
    text.append("-")
    append(Int(parts.tm_mon) + 1, width: 2, to: &text)
    text.append("-")
    append(Int(parts.tm_mday), width: 2, to: &text)
    text.append("T")
    append(Int(parts.tm_hour), width: 2, to: &text)
    text.append(":")
    append(Int(parts.tm_min), width: 2, to: &text)
    text.append(":")
    append(Int(parts.tm_sec), width: 2, to: &text)
    text.append("Z")
    return text
  }

  private static func append(_ number: Int, width: Int, to text: inout String) {
    let digits = String(number)
    if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
    text.append(digits)
  }
}
