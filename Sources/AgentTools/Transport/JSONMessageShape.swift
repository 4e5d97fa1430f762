/// What a line of JSON-RPC looks like, found in one pass without building anything: whether
/// it is valid JSON at all (RFC 8259, UTF-8 checked, nesting bounded), and for an object which
/// of the JSON-RPC members it has. The stdio transport answers malformed lines itself with a
/// parse error whose `id` is `null` (as JSON-RPC says), and counts requests and responses to
/// know when everything asked has been answered.
struct JSONMessageShape: Equatable, Sendable {
  enum Kind: Equatable, Sendable { case object, array, scalar }

  var kind: Kind
  var hasID = false
  var hasMethod = false
  var hasResult = false
  var hasError = false

  /// A request (expects a response): an object with both `method` and `id`.
  var isRequest: Bool { kind == .object && hasMethod && hasID }
  /// A response: an object with `id` and `result` or `error`, and no `method`.
  var isResponse: Bool { kind == .object && hasID && !hasMethod && (hasResult || hasError) }

  /// Deepest nesting accepted; deeper documents are refused before any decoder recurses into them.
  static let maximumDepth = 64

  /// Why a line is not JSON.
  struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "\(reason) at byte \(offset)" }
  }

  static func scan(_ bytes: some Collection<UInt8>) -> Result<JSONMessageShape, Malformed> {
    let contiguous = bytes.withContiguousStorageIfAvailable { buffer in scan(buffer) }
    return contiguous ?? Array(bytes).withUnsafeBufferPointer { scan($0) }
  }

  static func scan(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONMessageShape, Malformed> {
    var scanner = Scanner(bytes: buffer)
    do throws(Malformed) {
      scanner.skipSpace()
      let shape = try scanner.topLevel()
      scanner.skipSpace()
      guard scanner.position == buffer.count else { throw scanner.malformed("unexpected data after the JSON value") }
      return .success(shape)
    } catch {
      return .failure(error)
    }
  }

  private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    func malformed(_ reason: String) -> Malformed { Malformed(offset: position, reason: reason) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
      while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    mutating func topLevel() throws(Malformed) -> JSONMessageShape {
      switch current {
      case UInt8(ascii: "{")?:
        var shape = JSONMessageShape(kind: .object)
        try object(depth: 1) { key in
          switch key {
          case "id": shape.hasID = true
          case "method": shape.hasMethod = true
          case "result": shape.hasResult = true
          case "error": shape.hasError = true
          default: break
          }
        }
        return shape
      case UInt8(ascii: "[")?:
        try array(depth: 1)
        return JSONMessageShape(kind: .array)
      default:
        try value(depth: 1)
        return JSONMessageShape(kind: .scalar)
      }
    }

    mutating func value(depth: Int) throws(Malformed) {
      guard depth <= JSONMessageShape.maximumDepth else { throw malformed("nested deeper than \(JSONMessageShape.maximumDepth)") }
      guard let byte = current else { throw malformed("unexpected end of input") }
      switch byte {
      case UInt8(ascii: "{"): try object(depth: depth) { _ in }
      case UInt8(ascii: "["): try array(depth: depth)
      case UInt8(ascii: "\""): _ = try string(capture: false)
      case UInt8(ascii: "t"): try literal("true")
      case UInt8(ascii: "f"): try literal("false")
      case UInt8(ascii: "n"): try literal("null")
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
      default: throw malformed("unexpected character")
      }
    }

    mutating func object(depth: Int, key seen: (String) -> Void) throws(Malformed) {
      position += 1
      skipSpace()
      if current == UInt8(ascii: "}") {
        position += 1
        return
      }
      while true {
        guard current == UInt8(ascii: "\"") else { throw malformed("expected a member name") }
        if let key = try string(capture: depth == 1) { seen(key) }
        skipSpace()
        guard current == UInt8(ascii: ":") else { throw malformed("expected ':'") }
        position += 1
        skipSpace()
        try value(depth: depth + 1)
        skipSpace()
        switch current {
        case UInt8(ascii: ",")?:
          position += 1
          skipSpace()
        case UInt8(ascii: "}")?:
          position += 1
          return
        default: throw malformed("expected ',' or '}'")
        }
      }
    }

    mutating func array(depth: Int) throws(Malformed) {
      position += 1
      skipSpace()
      if current == UInt8(ascii: "]") {
        position += 1
        return
      }
      while true {
        try value(depth: depth + 1)
        skipSpace()
        switch current {
        case UInt8(ascii: ",")?:
          position += 1
          skipSpace()
        case UInt8(ascii: "]")?:
          position += 1
          return
        default: throw malformed("expected ',' or ']'")
        }
      }
    }

    /// Checks a string; with `capture`, returns its text when it is short, plain ASCII (the
    /// JSON-RPC member names), else nil.
    mutating func string(capture: Bool) throws(Malformed) -> String? {
      position += 1
      let start = position
      var plain = true
      while true {
        guard let byte = current else { throw malformed("unterminated string") }
        switch byte {
        case UInt8(ascii: "\""):
          defer { position += 1 }
          guard capture, plain, position - start <= 16 else { return nil }
          return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        case UInt8(ascii: "\\"):
          plain = false
          position += 1
          switch current {
          case UInt8(ascii: "\"")?, UInt8(ascii: "\\")?, UInt8(ascii: "/")?, UInt8(ascii: "b")?, UInt8(ascii: "f")?,
            UInt8(ascii: "n")?, UInt8(ascii: "r")?, UInt8(ascii: "t")?:
            position += 1
          case UInt8(ascii: "u")?:
            position += 1
            for _ in 0..<4 {
              guard let digit = current, isHexDigit(digit) else { throw malformed("bad \\u escape") }
              position += 1
            }
          default: throw malformed("bad escape")
          }
        case 0x00..<0x20: throw malformed("control character in a string")
        case 0x20..<0x80: position += 1
        default:
          plain = false
          try utf8Sequence()
        }
      }
    }

    /// One multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    mutating func utf8Sequence() throws(Malformed) {
      guard let lead = current else { throw malformed("unterminated string") }
      let length: Int
      var lowest: UInt8 = 0x80
      var highest: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        lowest = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        highest = 0x9F
      case 0xF0:
        length = 4
        lowest = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        highest = 0x8F
      default: throw malformed("invalid UTF-8")
      }
      position += 1
      for index in 1..<length {
        guard let byte = current else { throw malformed("invalid UTF-8") }
        let (low, high) = index == 1 ? (lowest, highest) : (UInt8(0x80), UInt8(0xBF))
        guard byte >= low, byte <= high else { throw malformed("invalid UTF-8") }
        position += 1
      }
    }

    mutating func number() throws(Malformed) {
      if current == UInt8(ascii: "-") { position += 1 }
      guard let first = current, isDigit(first) else { throw malformed("bad number") }
      if first == UInt8(ascii: "0") { position += 1 } else { digits() }
      if current == UInt8(ascii: ".") {
        position += 1
        guard let digit = current, isDigit(digit) else { throw malformed("bad number") }
        digits()
      }
      if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
        position += 1
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
        guard let digit = current, isDigit(digit) else { throw malformed("bad number") }
        digits()
      }
    }

    mutating func digits() {
      while let byte = current, isDigit(byte) { position += 1 }
    }

    mutating func literal(_ word: StaticString) throws(Malformed) {
      let count = word.utf8CodeUnitCount
      guard bytes.count - position >= count else { throw malformed("unexpected end of input") }
      for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
        throw malformed("unexpected character")
      }
      position += count
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    func isHexDigit(_ byte: UInt8) -> Bool {
      isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
  }
}
