/// Strict readers for numbers that providers send as text (Alpha Vantage's `"112.1300"`,
/// `"-0.5852%"`, Stooq's CSV cells).
///
/// `Double(_:)` alone accepts `"nan"`, `"inf"`, `"0x1p4"` and overflows to infinity; a price
/// read through it could be any of those. These accept only plain decimal notation with an
/// optional exponent and a trailing `%`, and return only finite values.
public enum NumberParsing {
  /// Longer text is not a price from any provider we know; refusing it bounds the work.
  static let maximumLength = 40

  /// A finite number from plain decimal text, surrounding spaces and one trailing `%` allowed.
  public static func decimal(_ raw: some StringProtocol) -> Double? {
    var text = Substring(raw).trimmingWhitespace()
    if text.hasSuffix("%") { text = text.dropLast().trimmingWhitespace() }
    guard !text.isEmpty, text.utf8.count <= maximumLength, isPlainDecimal(text) else { return nil }
    guard let value = Double(text), value.isFinite else { return nil }
    return value
  }

  /// An integer from an optional sign and digits only (no decimal point, no exponent).
  public static func integer(_ raw: some StringProtocol) -> Int64? {
    let text = Substring(raw).trimmingWhitespace()
    guard !text.isEmpty, text.utf8.count <= maximumLength else { return nil }
    return Int64(text)
  }

  /// `value` as an `Int64` when it is integral and representable; nil otherwise.
  public static func exactInt64(_ value: Double) -> Int64? {
    // 2^63 itself is one past Int64.max; -2^63 is Int64.min.
    guard value.isFinite, value.rounded() == value, value >= -0x1p63, value < 0x1p63 else { return nil }
    return Int64(value)
  }

  /// Digits with at most one decimal point, then an optional exponent; an optional sign first.
  private static func isPlainDecimal(_ text: Substring) -> Bool {
    var bytes = text.utf8[...]
    if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    var digits = 0
    var sawPoint = false
    while let byte = bytes.first {
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        digits += 1
      } else if byte == UInt8(ascii: "."), !sawPoint {
        sawPoint = true
      } else {
        break
      }
      bytes = bytes.dropFirst()
    }
    guard digits > 0 else { return false }
    guard let marker = bytes.first else { return true }
    guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return false }
    bytes = bytes.dropFirst()
    if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    guard !bytes.isEmpty else { return false }
    return bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }
}

extension Substring {
  func trimmingWhitespace() -> Substring {
    var slice = self
    while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
    while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
    return slice
  }
}
