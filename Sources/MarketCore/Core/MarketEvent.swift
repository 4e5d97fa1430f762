import Foundation

/// Something that happened in the core, for the dashboard's events pane, the API's live
/// stream and the logs. Messages never contain secrets.
public struct MarketEvent: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// A new value arrived from a provider (not a cache read).
    case quoteUpdated(ServedQuote)
    case providerError(ProviderID, ProviderError, symbols: [Symbol])
    case breakerTransition(ProviderID, from: String, to: String, reason: String)
    case operatorAction(String)
    case cacheInvalidated(scope: String, removed: Int)
    case watchlistChanged(ImmortalID, Watchlist)
    case dataQuality(String)
    /// Something the core was told to keep could not be kept (watchlists not saved to the
    /// config file): the edit holds in memory but will not survive a restart.
    case persistenceFailed(String)
  }

  public var time: Date
  public var kind: Kind

  public init(time: Date, kind: Kind) {
    self.time = time
    self.kind = kind
  }

  /// One line for humans (events pane, logs).
  public var summary: String {
    switch kind {
    case .quoteUpdated(let served): "\(served.symbol) \(served.quote.price) from \(served.source)"
    case .providerError(let provider, let error, let symbols):
      "\(provider) failed" + (symbols.isEmpty ? "" : " for \(symbols.map(\.text).prefix(5).joined(separator: ","))")
        + ": \(error)"
    case .breakerTransition(let provider, let from, let to, let reason): "\(provider) breaker \(from) → \(to): \(reason)"
    case .operatorAction(let text): text
    case .cacheInvalidated(let scope, let removed): "cache invalidated (\(scope)): \(removed) entries removed"
    case .watchlistChanged(let immortal, let watchlist):
      "\(Immortal.named(immortal).pinyin) watchlist: \(watchlist.activeSymbols.count) of \(watchlist.entries.count) active"
    case .dataQuality(let text): text
    case .persistenceFailed(let text): "not saved: " + text
    }
  }
}
