import ControlAPIClient
import Foundation
import MarketCore
import NIOCore

/// Writes JSON straight into a `ByteBuffer`: the hot path (a cache-hit quote) cannot afford
/// `JSONEncoder`'s reflection and per-key work. Output matches ``JSONBody``'s encoder: sorted
/// keys, absent optionals, ISO 8601 times to the second (a test compares the two).
struct JSONWriter {
  private(set) var bytes: [UInt8]
  private var needsComma = false

  init(capacity: Int = 512) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

  mutating func beginObject() {
    separate()
    bytes.append(UInt8(ascii: "{"))
    needsComma = false
  }

  mutating func endObject() {
    bytes.append(UInt8(ascii: "}"))
    needsComma = true
  }

  mutating func beginArray() {
    separate()
    bytes.append(UInt8(ascii: "["))
    needsComma = false
  }

  mutating func endArray() {
    bytes.append(UInt8(ascii: "]"))
    needsComma = true
  }

  /// A line break between documents (NDJSON): the next value starts a new one.
  mutating func newline() {
    bytes.append(UInt8(ascii: "\n"))
    needsComma = false
  }

  /// Raw bytes, already valid where they go (a CSV row, a literal).
  mutating func raw(_ text: StaticString) { append(text) }

  /// Hands over what was written so far and starts again, keeping the capacity: how a long
  /// stream is written in chunks without growing.
  mutating func takeBuffer() -> ByteBuffer {
    defer {
      bytes.removeAll(keepingCapacity: true)
      needsComma = false
    }
    return ByteBuffer(bytes: bytes)
  }

  var count: Int { bytes.count }

  /// A calendar date, `"2025-11-28"`, from its midnight in epoch seconds: how daily bars are dated.
  mutating func day(_ midnight: Int64) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    appendDay(midnight)
    bytes.append(UInt8(ascii: "\""))
    needsComma = true
  }

  /// The same without quotes, for CSV.
  mutating func unquotedDay(_ midnight: Int64) { appendDay(midnight) }

  /// An instant without quotes, `2025-11-28T14:30:00Z`, for CSV.
  mutating func unquotedInstant(_ seconds: Int64) {
    appendDay(seconds)
    let secondOfDay = seconds.floorDivided(by: 86_400).remainder
    bytes.append(UInt8(ascii: "T"))
    appendDigits(secondOfDay / 3600, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay / 60 % 60, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay % 60, width: 2)
    bytes.append(UInt8(ascii: "Z"))
  }

  /// A number without a separator, for CSV; nothing for nil.
  mutating func unseparated(_ number: Double?) {
    guard let number, number.isFinite else { return }
    appendNumber(number)
  }

  mutating func comma() { bytes.append(UInt8(ascii: ",")) }

  private mutating func appendDay(_ seconds: Int64) {
    let (year, month, day) = UTCDays.civil(days: seconds.floorDivided(by: 86_400).quotient)
    appendDigits(year, width: 4)
    bytes.append(UInt8(ascii: "-"))
    appendDigits(month, width: 2)
    bytes.append(UInt8(ascii: "-"))
    appendDigits(day, width: 2)
  }

  /// A key, given with its quotes and colon (`"\"price\":"`) so it is one copy.
  mutating func key(_ quotedKeyAndColon: StaticString) {
    separate()
    quotedKeyAndColon.withUTF8Buffer { bytes.append(contentsOf: $0) }
    needsComma = false
  }

  mutating func value(_ text: String) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): append("\\\"")
      case UInt8(ascii: "\\"): append("\\\\")
      case UInt8(ascii: "\n"): append("\\n")
      case UInt8(ascii: "\r"): append("\\r")
      case UInt8(ascii: "\t"): append("\\t")
      case 0..<0x20:
        append("\\u00")
        bytes.append(Self.hexDigits[Int(byte >> 4)])
        bytes.append(Self.hexDigits[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
    needsComma = true
  }

  /// JSON has no NaN or infinity: those are written as null (callers drop them earlier).
  mutating func value(_ number: Double) {
    separate()
    if number.isFinite { appendNumber(number) } else { append("null") }
    needsComma = true
  }

  private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]

  /// A finite number in its shortest decimal form. Prices and volumes nearly always have at
  /// most eight decimals: those are written with integer arithmetic, the fewest decimals
  /// first, and only once the digits are known to read back as exactly this number (the
  /// division is correctly rounded, as parsing is). Anything else goes through
  /// `description`, whose shortest-form search was most of a streamed series' cost.
  private mutating func appendNumber(_ number: Double) {
    for decimals in 0..<Self.powersOfTen.count {
      let scale = Self.powersOfTen[decimals]
      let scaled = (number * scale).rounded()
      guard abs(scaled) < 9e15 else { break }
      guard scaled / scale == number else { continue }
      let digits = Int64(scaled)
      if decimals == 0 {
        appendInteger(digits)
      } else {
        if digits < 0 { bytes.append(UInt8(ascii: "-")) }
        let divisor = Int64(scale)
        appendInteger(Int64(digits.magnitude / UInt64(divisor)))
        bytes.append(UInt8(ascii: "."))
        appendDigits(Int64(digits.magnitude % UInt64(divisor)), width: decimals)
      }
      return
    }
    bytes.append(contentsOf: number.description.utf8)
  }

  mutating func value(_ number: Int64) {
    separate()
    appendInteger(number)
    needsComma = true
  }

  mutating func value(_ flag: Bool) {
    separate()
    append(flag ? "true" : "false")
    needsComma = true
  }

  /// `"2025-11-29T00:00:00Z"`: UTC, whole seconds, as `JSONEncoder`'s `.iso8601` writes it.
  mutating func value(_ date: Date) {
    separate()
    let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
    let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
    let (year, month, day) = UTCDays.civil(days: days)
    bytes.append(UInt8(ascii: "\""))
    appendDigits(year, width: 4)
    bytes.append(UInt8(ascii: "-"))
    appendDigits(month, width: 2)
    bytes.append(UInt8(ascii: "-"))
    appendDigits(day, width: 2)
    bytes.append(UInt8(ascii: "T"))
    appendDigits(secondOfDay / 3600, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay / 60 % 60, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay % 60, width: 2)
    append("Z\"")
    needsComma = true
  }

  private mutating func separate() {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
  }

  private mutating func append(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  private mutating func appendInteger(_ number: Int64) {
    if number < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = number.magnitude
    var digits:
      (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
      ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { digits in
      repeat {
        digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        count += 1
      } while magnitude > 0
      bytes.append(contentsOf: digits[(20 - count)...])
    }
  }

  /// Exactly `width` digits, zero-padded (dates).
  private mutating func appendDigits(_ number: Int64, width: Int) {
    var divisor: Int64 = 1
    for _ in 1..<width { divisor *= 10 }
    var rest = number
    while divisor > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
      rest %= divisor
      divisor /= 10
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    let remainder = ((self % divisor) + divisor) % divisor
    return ((self - remainder) / divisor, remainder)
  }
}

extension QuoteBody {
  /// The same document as the `Encodable` conformance, written directly (keys sorted).
  func write(to writer: inout JSONWriter) {
    writer.beginObject()
    writer.key("\"age_seconds\":")
    writer.value(ageSeconds)
    writer.key("\"as_of\":")
    writer.value(asOf)
    if let change {
      writer.key("\"change\":")
      writer.value(change)
    }
    if let changePercent {
      writer.key("\"change_percent\":")
      writer.value(changePercent)
    }
    if let currency {
      writer.key("\"currency\":")
      writer.value(currency)
    }
    if let delayed {
      writer.key("\"delayed\":")
      writer.value(delayed)
    }
    if let high {
      writer.key("\"high\":")
      writer.value(high)
    }
    if let low {
      writer.key("\"low\":")
      writer.value(low)
    }
    if let open {
      writer.key("\"open\":")
      writer.value(open)
    }
    writer.key("\"origin\":")
    writer.value(origin)
    if let previousClose {
      writer.key("\"previous_close\":")
      writer.value(previousClose)
    }
    writer.key("\"price\":")
    writer.value(price)
    writer.key("\"received_at\":")
    writer.value(receivedAt)
    writer.key("\"simulated\":")
    writer.value(simulated)
    writer.key("\"source\":")
    writer.value(source)
    writer.key("\"stale\":")
    writer.value(stale)
    writer.key("\"symbol\":")
    writer.value(symbol)
    if let volume {
      writer.key("\"volume\":")
      writer.value(volume)
    }
    writer.endObject()
  }
}
