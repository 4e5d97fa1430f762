import MCP

/// Reads one JSON document into a `Value`, in one pass over the bytes: the tool-call
/// shortcut's decoder. Foundation's `JSONDecoder` through `Decodable` costs tens of
/// microseconds for a 120-byte request (a fifth of a cache-hit call); this is a few.
/// Numbers without a fraction or exponent that fit an `Int` are `.int`, others `.double`;
/// nesting is bounded as in ``JSONMessageShape``. Nil for anything that is not JSON.
enum JSONValueReader {
  static func read(_ bytes: some Collection<UInt8>) -> Value? {
    let contiguous = bytes.withContiguousStorageIfAvailable { read($0) }
    return contiguous ?? Array(bytes).withUnsafeBufferPointer { read($0) }
  }

  static func read(_ buffer: UnsafeBufferPointer<UInt8>) -> Value? {
    var reader = Reader(bytes: buffer)
    reader.skipSpace()
    guard let value = reader.value(depth: 1) else { return nil }
    reader.skipSpace()
    // Not `? value : nil`: `Value` takes `nil` as a literal, so that would be `.null`.
    guard reader.position == buffer.count else { return Optional<Value>.none }
    return value
  }

  private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
      while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    mutating func value(depth: Int) -> Value? {
      guard depth <= JSONMessageShape.maximumDepth, let byte = current else { return nil }
      switch byte {
      case UInt8(ascii: "{"): return object(depth: depth)
      case UInt8(ascii: "["): return array(depth: depth)
      case UInt8(ascii: "\""): return string().map { .string($0) }
      case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
      case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
      case UInt8(ascii: "n"): return literal("null") ? .null : nil
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
      default: return nil
      }
    }

    mutating func object(depth: Int) -> Value? {
      position += 1
      var members: [String: Value] = [:]
      skipSpace()
      if current == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      }
      while true {
        guard current == UInt8(ascii: "\""), let key = string() else { return nil }
        skipSpace()
        guard current == UInt8(ascii: ":") else { return nil }
        position += 1
        skipSpace()
        guard let member = value(depth: depth + 1) else { return nil }
        members[key] = member
        skipSpace()
        switch current {
        case UInt8(ascii: ",")?:
          position += 1
          skipSpace()
        case UInt8(ascii: "}")?:
          position += 1
          return .object(members)
        default: return nil
        }
      }
    }

    mutating func array(depth: Int) -> Value? {
      position += 1
      var elements: [Value] = []
      skipSpace()
      if current == UInt8(ascii: "]") {
        position += 1
        return .array(elements)
      }
      while true {
        guard let element = value(depth: depth + 1) else { return nil }
        elements.append(element)
        skipSpace()
        switch current {
        case UInt8(ascii: ",")?:
          position += 1
          skipSpace()
        case UInt8(ascii: "]")?:
          position += 1
          return .array(elements)
        default: return nil
        }
      }
    }

    /// A string's text; plain runs are copied whole, escapes decoded (surrogate pairs joined).
    mutating func string() -> String? {
      position += 1
      var scalars = String.UnicodeScalarView()
      var runStart = position
      while true {
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "\""):
          guard appendRun(from: runStart, to: &scalars) else { return nil }
          position += 1
          return String(scalars)
        case UInt8(ascii: "\\"):
          guard appendRun(from: runStart, to: &scalars) else { return nil }
          position += 1
          guard let escaped = escape() else { return nil }
          scalars.append(escaped)
          runStart = position
        case 0x00..<0x20: return nil
        default: position += 1
        }
      }
    }

    /// Appends the raw bytes since `start`, which must be valid UTF-8.
    mutating func appendRun(from start: Int, to scalars: inout String.UnicodeScalarView) -> Bool {
      guard position > start else { return true }
      guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) else {
        return false
      }
      scalars.append(contentsOf: text.unicodeScalars)
      return true
    }

    mutating func escape() -> Unicode.Scalar? {
      guard let byte = current else { return nil }
      position += 1
      switch byte {
      case UInt8(ascii: "\""): return "\""
      case UInt8(ascii: "\\"): return "\\"
      case UInt8(ascii: "/"): return "/"
      case UInt8(ascii: "b"): return "\u{08}"
      case UInt8(ascii: "f"): return "\u{0C}"
      case UInt8(ascii: "n"): return "\n"
      case UInt8(ascii: "r"): return "\r"
      case UInt8(ascii: "t"): return "\t"
      case UInt8(ascii: "u"):
        guard let unit = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(unit) {
          guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
          else { return nil }
          position += 2
          guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
          return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(unit)
      default: return nil
      }
    }

    mutating func hex4() -> UInt32? {
      guard bytes.count - position >= 4 else { return nil }
      var unit: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[position]
        let digit: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
        default: return nil
        }
        unit = unit << 4 | UInt32(digit)
        position += 1
      }
      return unit
    }

    mutating func number() -> Value? {
      let start = position
      var isInteger = true
      if current == UInt8(ascii: "-") { position += 1 }
      guard let first = current, isDigit(first) else { return nil }
      if first == UInt8(ascii: "0") { position += 1 } else { digits() }
      if current == UInt8(ascii: ".") {
        isInteger = false
        position += 1
        guard let digit = current, isDigit(digit) else { return nil }
        digits()
      }
      if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
        isInteger = false
        position += 1
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
        guard let digit = current, isDigit(digit) else { return nil }
        digits()
      }
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
      if isInteger, let integer = Int(text) { return .int(integer) }
      return Double(text).map { .double($0) }
    }

    mutating func digits() {
      while let byte = current, isDigit(byte) { position += 1 }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func literal(_ word: StaticString) -> Bool {
      let count = word.utf8CodeUnitCount
      guard bytes.count - position >= count else { return false }
      for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
      position += count
      return true
    }
  }
}
