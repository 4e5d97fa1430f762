/// Reads what ``EntryWriter`` wrote, refusing anything that runs past the end or past a
/// limit: the bytes may come from another process, an older build or a damaged disk.
struct EntryReader {
  private let bytes: [UInt8]
  private(set) var offset = 0

  init(_ bytes: [UInt8], offset: Int = 0) {
    self.bytes = bytes
    self.offset = offset
  }

  var remaining: Int { bytes.count - offset }

  mutating func byte(_ field: String) throws(EntryError) -> UInt8 {
    guard offset < bytes.count else { throw .truncated(field: field) }
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func littleEndian16(_ field: String) throws(EntryError) -> UInt16 {
    let slice = try take(2, field)
    return UInt16(slice[slice.startIndex]) | UInt16(slice[slice.startIndex + 1]) << 8
  }

  mutating func littleEndian64(_ field: String) throws(EntryError) -> UInt64 {
    guard remaining >= 8 else { throw .truncated(field: field) }
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
    offset += 8
    return value
  }

  mutating func double(_ field: String) throws(EntryError) -> Double {
    Double(bitPattern: try littleEndian64(field))
  }

  mutating func int64(_ field: String) throws(EntryError) -> Int64 {
    Int64(bitPattern: try littleEndian64(field))
  }

  mutating func varint(_ field: String) throws(EntryError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let byte = try self.byte(field)
      // The tenth byte holds the 64th bit only; anything more would overflow.
      if shift == 63, byte > 1 { throw .malformedVarint(field: field) }
      value |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return value }
      shift += 7
    }
  }

  mutating func signedVarint(_ field: String) throws(EntryError) -> Int64 {
    let zigzag = try varint(field)
    return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
  }

  mutating func text(_ field: String, maximumLength: Int) throws(EntryError) -> String {
    let length = try varint(field)
    guard length <= UInt64(maximumLength) else {
      throw .lengthTooLarge(field: field, length: length, maximum: maximumLength)
    }
    guard let text = String(validating: try take(Int(length), field), as: UTF8.self) else {
      throw .invalidText(field: field)
    }
    return text
  }

  mutating func rest() -> ArraySlice<UInt8> {
    defer { offset = bytes.count }
    return bytes[offset...]
  }

  private mutating func take(_ count: Int, _ field: String) throws(EntryError) -> ArraySlice<UInt8> {
    guard count <= remaining else { throw .truncated(field: field) }
    defer { offset += count }
    return bytes[offset..<offset + count]
  }
}
