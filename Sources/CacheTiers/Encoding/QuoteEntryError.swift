import MarketCore

/// Why stored bytes are not a quote. Every tier treats an entry it cannot decode as absent
/// (and counts it), so these describe the entry for logs; they never echo its contents.
public enum QuoteEntryError: Error, Hashable, Sendable, CustomStringConvertible {
  case empty
  /// Written by a newer (or unrelated) program: this build only reads ``QuoteEntryCodec/formatVersion``.
  case unsupportedVersion(UInt8)
  /// Flag bits this version does not define.
  case unknownFlags(UInt8)
  /// Field bits this version does not define.
  case unknownFields(UInt16)
  /// The bytes end before the field does.
  case truncated(field: String)
  /// A length or count that runs past 64 bits.
  case malformedVarint(field: String)
  case lengthTooLarge(field: String, length: UInt64, maximum: Int)
  case invalidSymbol(SymbolError)
  case invalidText(field: String)
  case nonFinitePrice
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
    case .empty: "stored quote entry is empty"
    case .unsupportedVersion(let version):
      "stored quote entry has format version \(version); this build reads only version \(QuoteEntryCodec.formatVersion)"
        + " (written by a newer Lianyaohu?)"
    case .unknownFlags(let flags): "stored quote entry has unknown flags 0x\(String(flags, radix: 16))"
    case .unknownFields(let fields): "stored quote entry has unknown field bits 0x\(String(fields, radix: 16))"
    case .truncated(let field): "stored quote entry ends inside \(field)"
    case .malformedVarint(let field): "stored quote entry has a malformed length in \(field)"
    case .lengthTooLarge(let field, let length, let maximum):
      "stored quote entry's \(field) is \(length) bytes long; at most \(maximum) allowed"
    case .invalidSymbol(let error): "stored quote entry has an invalid symbol: \(error)"
    case .invalidText(let field): "stored quote entry's \(field) is not valid UTF-8"
    case .nonFinitePrice: "stored quote entry's price is not a finite number"
    case .trailingBytes(let count): "stored quote entry has \(count) unexpected bytes after its last field"
    case .corruptCompression: "stored quote entry's compressed payload is corrupt or cut short"
    case .decompressedTooLarge(let maximum):
      "stored quote entry inflates past \(maximum) bytes (refused as a decompression bomb)"
    case .decompressedLengthMismatch(let declared, let actual):
      "stored quote entry inflates to \(actual) bytes, not the \(declared) its header declares"
    }
  }
}
