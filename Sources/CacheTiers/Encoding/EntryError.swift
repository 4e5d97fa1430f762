import MarketCore

/// Why stored bytes are not a value (a quote, a block of bars, a profile). Every tier treats
/// an entry it cannot decode as absent (and counts it), so these describe the entry for logs;
/// they never echo its contents.
public enum EntryError: Error, Hashable, Sendable, CustomStringConvertible {
  case empty
  /// Written by a newer (or unrelated) program: this build reads only the `supported` version.
  case unsupportedVersion(UInt8, supported: UInt8)
  /// Flag bits this version does not define.
  case unknownFlags(UInt8)
  /// Field bits this version does not define.
  case unknownFields(UInt16)
  /// The bytes end before the field does.
  case truncated(field: String)
  /// A length or count that runs past 64 bits.
  case malformedVarint(field: String)
  case lengthTooLarge(field: String, length: UInt64, maximum: Int)
  /// More items than any real value holds, or than the bytes left could encode.
  case countTooLarge(field: String, count: UInt64, maximum: Int)
  case invalidSymbol(SymbolError)
  case invalidText(field: String)
  /// A bar interval this build does not know.
  case invalidInterval
  case nonFinitePrice
  case nonFiniteNumber(field: String)
  /// A block whose span is empty or longer than any calendar block.
  case invalidBlockSpan
  /// A bar that starts outside its block, or not after the bar before it.
  case barOutOfPlace(index: Int)
  /// Bytes left over after the last field: the entry is not what its header says.
  case trailingBytes(count: Int)
  /// The compressed payload is corrupt or cut short.
  case corruptCompression
  /// The compressed payload inflates to more than declared or than the cap allows.
  case decompressedTooLarge(maximum: Int)
  /// The compressed payload inflates to a different size than its header declared.
  case decompressedLengthMismatch(declared: Int, actual: Int)

  public var description: String {
    switch self {
    case .empty: "stored entry is empty"
    case .unsupportedVersion(let version, let supported):
      "stored entry has format version \(version); this build reads only version \(supported)"
        + " (written by a newer Lianyaohu?)"
    case .unknownFlags(let flags): "stored entry has unknown flags 0x\(String(flags, radix: 16))"
    case .unknownFields(let fields): "stored entry has unknown field bits 0x\(String(fields, radix: 16))"
    case .truncated(let field): "stored entry ends inside \(field)"
    case .malformedVarint(let field): "stored entry has a malformed length in \(field)"
    case .lengthTooLarge(let field, let length, let maximum):
      "stored entry's \(field) is \(length) bytes long; at most \(maximum) allowed"
    case .countTooLarge(let field, let count, let maximum):
      "stored entry declares \(count) \(field); at most \(maximum) allowed (or fewer than that, as the entry's size allows)"
    case .invalidSymbol(let error): "stored entry has an invalid symbol: \(error)"
    case .invalidText(let field): "stored entry's \(field) is not valid UTF-8"
    case .invalidInterval: "stored entry's bar interval is not one this build knows"
    case .nonFinitePrice: "stored entry has a price that is not a finite number"
    case .nonFiniteNumber(let field): "stored entry's \(field) is not a finite number"
    case .invalidBlockSpan: "stored entry's block span is empty or longer than a calendar block"
    case .barOutOfPlace(let index): "stored entry's bar \(index) starts outside its block or not after the bar before it"
    case .trailingBytes(let count): "stored entry has \(count) unexpected bytes after its last field"
    case .corruptCompression: "stored entry's compressed payload is corrupt or cut short"
    case .decompressedTooLarge(let maximum):
      "stored entry inflates past \(maximum) bytes (refused as a decompression bomb)"
    case .decompressedLengthMismatch(let declared, let actual):
      "stored entry inflates to \(actual) bytes, not the \(declared) its header declares"
    }
  }
}
