import MarketCore

extension SQLiteQuoteTier {
  /// The rows of one data class's table an ``InvalidationScope`` names, as a set of symbols.
  /// Scopes speak in key text (`v1:quote:AAPL`, `v1:history:AAPL:1d:1735689600`); tables are
  /// keyed by symbol. For quotes and profiles (one key per symbol) the selection is exact; for
  /// history it narrows the rows to look at, and ``needsEveryKeyChecked(_:)`` says when each
  /// block's key must still be matched against the scope.
  enum Selection: Hashable, Sendable {
    case nothing
    case symbol(Symbol)
    /// Every symbol whose text starts with this.
    case symbolPrefix(String)
    case everything

    /// The text every key of `kind` starts with; a prefix scope is matched against it.
    static func keyPrefix(of kind: DataKind) -> String { "v\(CacheKey.schemaVersion):\(kind.name):" }

    /// `parameterized`: whether the class's keys go on past the symbol (history's interval and
    /// start); a prefix that runs past a symbol then names some of its keys, else none.
    init(_ scope: InvalidationScope, kind: DataKind, parameterized: Bool = false) {
      switch scope {
      case .key(let key): self = key.kind == kind ? .symbol(key.symbol) : .nothing
      case .symbol(let symbol): self = .symbol(symbol)
      case .prefix(let prefix):
        let keyPrefix = Self.keyPrefix(of: kind)
        if keyPrefix.hasPrefix(prefix) {
          self = .everything
        } else if prefix.hasPrefix(keyPrefix) {
          let rest = prefix.dropFirst(keyPrefix.count)
          if let colon = rest.firstIndex(of: ":") {
            // Past the symbol: only that exact symbol's keys can match (symbols have no colon).
            let text = rest[..<colon]
            if parameterized, let symbol = try? Symbol(validating: text), symbol.text == text {
              self = .symbol(symbol)
            } else {
              self = .nothing
            }
          } else {
            self = .symbolPrefix(String(rest))
          }
        } else {
          // Another class's keys, or another key version: nothing this table holds.
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

    /// Whether the scope names only some of a selected symbol's keys (one block, or a prefix
    /// that runs into the interval and start): then each key is matched, not the symbol.
    static func needsEveryKeyChecked(_ scope: InvalidationScope) -> Bool {
      switch scope {
      case .key: true
      case .prefix(let prefix):
        prefix.count > keyPrefix(of: .history).count && prefix.hasPrefix(keyPrefix(of: .history))
          && prefix.dropFirst(keyPrefix(of: .history).count).contains(":")
      case .symbol, .all: false
      }
    }
  }
}
