/// A market symbol in its canonical, provider-neutral form (Yahoo/OpenBB style: `BRK-B`,
/// `BTC-USD`, `600519.SS`, `EURUSD=X`, `^VIX`).
///
/// Every symbol that enters the core passes through ``init(validating:)``, so code past the
/// boundary never has to ask whether a symbol is well formed.
public struct Symbol: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
  /// The longest symbol any provider we know of uses is well under this.
  public static let maximumLength = 24

  /// Canonical text: ASCII letters upper-cased, digits and `.-=^`.
  public let text: String
  /// Hashed once at validation with the process's seeded hasher: cache keys hash this one
  /// word instead of the text on every read (and stay resistant to hash flooding).
  private let hash: Int

  /// Validates and canonicalises raw input (from a user, a config file or an HTTP request).
  public init(validating raw: some StringProtocol) throws(SymbolError) {
    let trimmed = raw.utf8.count > 4 * Self.maximumLength ? Substring(raw.prefix(4 * Self.maximumLength)) : Substring(raw)
    if raw.utf8.count > 4 * Self.maximumLength {
      throw SymbolError.tooLong(length: raw.count)
    }
    let stripped = trimmed.trimmingSpaces()
    if stripped.isEmpty { throw SymbolError.empty }
    // Checked first, then written straight into the string: no buffer is allocated, and a
    // symbol of up to 15 bytes is a small string, so validating one allocates nothing.
    var hasAlphanumeric = false
    var count = 0
    for scalar in stripped.unicodeScalars {
      count += 1
      switch scalar {
      case "A"..."Z", "a"..."z", "0"..."9": hasAlphanumeric = true
      case ".", "-", "=", "^": break
      default: throw SymbolError.invalidCharacter(SymbolError.describe(scalar), position: count)
      }
    }
    if count > Self.maximumLength { throw SymbolError.tooLong(length: count) }
    if !hasAlphanumeric { throw SymbolError.noLetterOrDigit }
    self.text = String(unsafeUninitializedCapacity: count) { buffer in
      var index = 0
      for byte in stripped.utf8 {
        buffer[index] = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
        index += 1
      }
      return index
    }
    self.hash = text.hashValue
  }

  public static func == (lhs: Symbol, rhs: Symbol) -> Bool { lhs.text == rhs.text }

  public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

  /// See ``CacheKey/_rawHashValue(seed:)``: the hash is computed once, at validation.
  public func _rawHashValue(seed: Int) -> Int { mix(hash, seed) }

  /// The precomputed hash, for choosing a cache shard without hashing again.
  public var shardHash: Int { hash }

  /// For symbols written in our own source (defaults, tests); traps on a programming error.
  public init(_ literal: StaticString) {
    do {
      self = try Symbol(validating: literal.description)
    } catch {
      preconditionFailure("invalid symbol literal \(literal): \(error)")
    }
  }

  public var description: String { text }

  public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.text < rhs.text }

  public init(from decoder: any Decoder) throws {
    let raw = try decoder.singleValueContainer().decode(String.self)
    self = try Symbol(validating: raw)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(text)
  }
}

/// Why a piece of text is not a symbol. Descriptions never echo more than a short, printable
/// excerpt of hostile input.
public enum SymbolError: Error, Hashable, Sendable, CustomStringConvertible {
  case empty
  case tooLong(length: Int)
  case invalidCharacter(String, position: Int)
  case noLetterOrDigit

  public var description: String {
    switch self {
    case .empty: "symbol is empty"
    case .tooLong(let length): "symbol is \(length) characters long; at most \(Symbol.maximumLength) allowed"
    case .invalidCharacter(let character, let position):
      "symbol has \(character) at position \(position); only letters, digits and . - = ^ are allowed"
    case .noLetterOrDigit: "symbol needs at least one letter or digit"
    }
  }

  /// A printable name for a rejected character: control and non-ASCII characters as `U+XXXX`.
  static func describe(_ scalar: Unicode.Scalar) -> String {
    if scalar.isASCII, scalar.value >= 0x21, scalar.value < 0x7F { return "'\(Character(scalar))'" }
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var slice = self[...]
    while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
    return slice
  }
}

/// Broad kinds of instrument, inferred from the canonical symbol's shape; providers declare
/// which they serve so the router never asks one for a symbol it lacks.
public enum AssetClass: String, Sendable, Hashable, CaseIterable, Codable {
  case equity, index, crypto, forex, future
}

extension Symbol {
  /// Quote currencies that mark `BASE-QUOTE` as a crypto pair (`BTC-USD`) rather than a share
  /// class (`BRK-B`).
  private static let cryptoQuoteCurrencies: Set<Substring> = ["USD", "USDT", "USDC", "EUR", "GBP", "JPY", "BTC", "ETH", "CNY"]

  public var assetClass: AssetClass {
    if text.hasPrefix("^") { return .index }
    if text.hasSuffix("=X") { return .forex }
    if text.hasSuffix("=F") { return .future }
    if let dash = text.lastIndex(of: "-"), Self.cryptoQuoteCurrencies.contains(text[text.index(after: dash)...]) {
      return .crypto
    }
    return .equity
  }

  /// The exchange suffix after the last dot (`HK` for `0700.HK`), or nil for US listings.
  public var exchangeSuffix: Substring? {
    guard assetClass == .equity, let dot = text.lastIndex(of: ".") else { return nil }
    let suffix = text[text.index(after: dot)...]
    return suffix.isEmpty ? nil : suffix
  }
}
