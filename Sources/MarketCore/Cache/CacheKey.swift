/// What a cached value is: a quote, or a history series with its parameters.
public enum DataClass: Hashable, Sendable {
  case quote
  case history(range: String, interval: String)

  public var name: String {
    switch self {
    case .quote: "quote"
    case .history: "history"
    }
  }
}

/// A versioned, parameterised cache key. Its text form (`v1:quote:AAPL`,
/// `v1:history:AAPL:1mo:1d`) is what shared tiers store and what prefix invalidation matches.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
  /// Bump when the cached value's shape changes, so old entries are never misread.
  public static let schemaVersion = 1

  public var dataClass: DataClass
  public var symbol: Symbol

  public init(_ dataClass: DataClass, _ symbol: Symbol) {
    self.dataClass = dataClass
    self.symbol = symbol
  }

  public static func quote(_ symbol: Symbol) -> CacheKey { CacheKey(.quote, symbol) }

  /// Reads the text form back; nil for another schema version or anything malformed.
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 3, parts[0] == "v\(Self.schemaVersion)" else { return nil }
    switch parts[1] {
    case "quote" where parts.count == 3: self.dataClass = .quote
    case "history" where parts.count == 5: self.dataClass = .history(range: parts[3], interval: parts[4])
    default: return nil
    }
    guard let symbol = try? Symbol(validating: parts[2]) else { return nil }
    self.symbol = symbol
  }

  public var description: String {
    switch dataClass {
    case .quote: "v\(Self.schemaVersion):quote:\(symbol.text)"
    case .history(let range, let interval): "v\(Self.schemaVersion):history:\(symbol.text):\(range):\(interval)"
    }
  }
}

/// How long a data class stays fresh, when it is refreshed ahead, and how stale it may be served.
public struct CachePolicy: Hashable, Sendable {
  /// Fresh for this long after it was stored.
  public var timeToLive: Duration
  /// A read after this fraction of the TTL triggers a background refresh (refresh-ahead).
  public var refreshAheadFraction: Double
  /// After the TTL, the value may still be served, marked stale, for this long while a
  /// refresh runs (stale-while-revalidate). Past it, the entry is gone.
  public var maximumStaleness: Duration

  public init(timeToLive: Duration, refreshAheadFraction: Double = 0.75, maximumStaleness: Duration) {
    self.timeToLive = timeToLive
    self.refreshAheadFraction = min(max(refreshAheadFraction, 0), 1)
    self.maximumStaleness = maximumStaleness
  }

  public static let quotes = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.75, maximumStaleness: .seconds(300))
  public static let history = CachePolicy(
    timeToLive: .seconds(3600), refreshAheadFraction: 0.9, maximumStaleness: .seconds(86_400))
}
