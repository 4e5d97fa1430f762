import MarketCore

extension SQLiteQuoteTier {
  /// The stored quotes an ``InvalidationScope`` names. Scopes speak in key text
  /// (`v1:quote:AAPL`); tiers that keep quotes by symbol need it as a set of symbols.
  enum Selection: Hashable, Sendable {
    case nothing
    case symbol(Symbol)
    /// Every symbol whose text starts with this.
    case symbolPrefix(String)
    case everything

    /// The text every quote key starts with; a prefix scope is matched against it.
    static let quoteKeyPrefix = "v\(CacheKey.schemaVersion):quote:"

    init(_ scope: InvalidationScope) {
      switch scope {
      case .key(let key): self = key.kind == .quote ? .symbol(key.symbol) : .nothing
      case .symbol(let symbol): self = .symbol(symbol)
      case .prefix(let prefix):
        if Self.quoteKeyPrefix.hasPrefix(prefix) {
          self = .everything
        } else if prefix.hasPrefix(Self.quoteKeyPrefix) {
          self = .symbolPrefix(String(prefix.dropFirst(Self.quoteKeyPrefix.count)))
        } else {
          // History keys and other key versions: nothing a quote tier holds.
          self = .nothing
        }
      case .all: self = .everything
      }
    }

    func matches(_ symbol: Symbol) -> Bool {
      switch self {
      case .nothing: false
      case .symbol(let selected): symbol == selected
      case .symbolPrefix(let prefix): symbol.text.hasPrefix(prefix)
      case .everything: true
      }
    }
  }
}
