/// The namespace of a cache key: which data class its value belongs to (`quote`, `history`,
/// `profile`). A data class declares its own kind next to its definition.
public struct DataKind: Hashable, Sendable, CustomStringConvertible {
  /// Lower-case letters only: it is one colon-separated part of every key's text form.
  public let name: String
  /// Hashed once, like ``Symbol``'s: building a key costs integer arithmetic, not hashing.
  let hash: Int

  public init(_ name: String) {
    precondition(!name.isEmpty && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
    self.name = name
    self.hash = name.hashValue
  }

  public static func == (lhs: DataKind, rhs: DataKind) -> Bool { lhs.name == rhs.name }

  public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

  public var description: String { name }
}

/// A versioned, parameterised cache key: a data kind, a symbol and the parameters that tell
/// two values of one symbol apart (a history series' interval and window). Its text form
/// (`v1:quote:AAPL`, `v1:history:AAPL:1d:2024-01-02:2025-01-02`) is what shared tiers store and what
/// explicit prefix invalidation matches; it is only built when asked for, never on a read.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
  /// Bump when the cached values' shapes change, so old entries are never misread.
  public static let schemaVersion = 1

  public let kind: DataKind
  public let symbol: Symbol
  /// Empty for a kind with one value per symbol (quotes).
  public let parameters: String
  /// Computed once: a read hashes one word, not three strings.
  private let hash: Int

  public init(_ kind: DataKind, _ symbol: Symbol, parameters: String = "") {
    self.kind = kind
    self.symbol = symbol
    self.parameters = parameters
    // The parts are already seeded hashes; the dictionary hashes this word again with its own seed.
    self.hash = symbol.shardHash &* 31 &+ kind.hash &+ (parameters.isEmpty ? 0 : parameters.hashValue &* 131)
  }

  public static func == (lhs: CacheKey, rhs: CacheKey) -> Bool {
    lhs.hash == rhs.hash && lhs.symbol == rhs.symbol && lhs.kind == rhs.kind && lhs.parameters == rhs.parameters
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

  /// What dictionaries and sets hash by. The stored hash is already a seeded SipHash of the
  /// key's parts, so mixing in the table's seed with a multiply-xorshift keeps tables
  /// unpredictable without running SipHash again on every memory-cache lookup.
  public func _rawHashValue(seed: Int) -> Int { mix(hash, seed) }

  /// Reads the text form back; nil for another schema version or anything malformed.
  public init?(_ text: String) {
    let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
    guard parts.count >= 3, parts[0] == "v\(Self.schemaVersion)", !parts[1].isEmpty,
      parts[1].utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }),
      let symbol = try? Symbol(validating: parts[2]), symbol.text == parts[2]
    else { return nil }
    let parameters = parts.count == 4 ? String(parts[3]) : ""
    guard parts.count == 3 || !parameters.isEmpty else { return nil }
    self.init(DataKind(String(parts[1])), symbol, parameters: parameters)
  }

  public var description: String {
    let base = "v\(Self.schemaVersion):\(kind.name):\(symbol.text)"
    return parameters.isEmpty ? base : base + ":" + parameters
  }
}

/// What to drop from the caches. Every scope matches keys exactly: a symbol is never matched
/// as the start of another (`BA` is not `BABA`); only `.prefix` compares text, because it was
/// asked to.
public enum InvalidationScope: Hashable, Sendable, CustomStringConvertible {
  case key(CacheKey)
  /// Every data class of exactly this symbol.
  case symbol(Symbol)
  /// Every key whose text form starts with this (`v1:quote:`, `v1:history:BTC-USD:`).
  case prefix(String)
  case all

  public func matches(_ key: CacheKey) -> Bool {
    switch self {
    case .key(let target): key == target
    case .symbol(let symbol): key.symbol == symbol
    case .prefix(let prefix): key.description.hasPrefix(prefix)
    case .all: true
    }
  }

  /// The one symbol every matching key belongs to, when there is one: lets a cache look in
  /// that symbol's shard alone.
  public var onlySymbol: Symbol? {
    switch self {
    case .key(let key): key.symbol
    case .symbol(let symbol): symbol
    case .prefix, .all: nil
    }
  }

  public var description: String {
    switch self {
    case .key(let key): key.description
    case .symbol(let symbol): "symbol \(symbol)"
    case .prefix(let prefix): "prefix \(prefix)"
    case .all: "all"
    }
  }
}

/// How long a data class stays fresh, when it is refreshed ahead, how stale it may be served,
/// and how long "no such symbol" is believed.
public struct CachePolicy: Hashable, Sendable {
  /// Fresh for this long after it was stored.
  public var timeToLive: Duration
  /// A read after this fraction of the TTL triggers a background refresh (refresh-ahead).
  public var refreshAheadFraction: Double
  /// After the TTL, the value may still be served, marked stale, for this long while a
  /// refresh runs (stale-while-revalidate). Past it, the entry is gone.
  public var maximumStaleness: Duration
  /// How long every provider saying "unknown symbol" is remembered, so a typo hammering the
  /// API costs one upstream call.
  public var negativeTimeToLive: Duration

  public init(
    timeToLive: Duration, refreshAheadFraction: Double = 0.75, maximumStaleness: Duration,
    negativeTimeToLive: Duration = .seconds(60)
  ) {
    self.timeToLive = timeToLive
    self.refreshAheadFraction = min(max(refreshAheadFraction, 0), 1)
    self.maximumStaleness = maximumStaleness
    self.negativeTimeToLive = negativeTimeToLive
  }

  /// Past this age a value is due for refresh: a tier's value younger than this serves a read.
  public var refreshAge: Duration { timeToLive * refreshAheadFraction }

  /// Past this age a value may not be served at all.
  public var servableAge: Duration { timeToLive + maximumStaleness }

  public static let quotes = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.75, maximumStaleness: .seconds(300))
}

/// One finalisation round of MurmurHash3 over a precomputed hash and a table's seed: every
/// input bit reaches every output bit, in a few instructions.
@inline(__always)
func mix(_ hash: Int, _ seed: Int) -> Int {
  var bits = UInt64(UInt(bitPattern: hash ^ seed))
  bits = (bits ^ (bits >> 33)) &* 0xff51_afd7_ed55_8ccd
  bits = (bits ^ (bits >> 33)) &* 0xc4ce_b9fe_1a85_ec53
  return Int(bitPattern: UInt(bits ^ (bits >> 33)))
}
