import MCP

/// Writes a `Value` as compact JSON with sorted keys, as the SDK's encoder spells it, without
/// going through `JSONEncoder` (see ``ToolCallShortcut`` for why that matters).
enum JSONOutput {
  static func write(_ value: Value, into bytes: inout [UInt8]) {
    switch value {
    case .null: append("null", to: &bytes)
    case .bool(let flag): append(flag ? "true" : "false", to: &bytes)
    case .int(let number): append(String(number), to: &bytes)
    case .double(let number):
      if !number.isFinite {
        append("null", to: &bytes)
      } else if number == number.rounded(), abs(number) < 1e15 {
        append(String(Int64(number)), to: &bytes)
      } else {
        append(String(number), to: &bytes)
      }
    case .string(let text): write(text, into: &bytes)
    case .data(let mimeType, let data): write(data.dataURLEncoded(mimeType: mimeType), into: &bytes)
    case .array(let elements):
      bytes.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        write(element, into: &bytes)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let members):
      bytes.append(UInt8(ascii: "{"))
      for (index, key) in members.keys.sorted().enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        write(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if let member = members[key] { write(member, into: &bytes) }
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  static func write(_ text: String, into bytes: inout [UInt8]) {
    bytes.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): append("\\\"", to: &bytes)
      case UInt8(ascii: "\\"): append("\\\\", to: &bytes)
      case 0x0A: append("\\n", to: &bytes)
      case 0x0D: append("\\r", to: &bytes)
      case 0x09: append("\\t", to: &bytes)
      case 0x00..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        append("\\u00", to: &bytes)
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 0x0F)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  static func append(_ text: String, to bytes: inout [UInt8]) { bytes.append(contentsOf: text.utf8) }
}
