/// Tunables of the core, with defaults a desk can run on. The executable fills this from
/// flags, environment and the config file.
public struct CoreConfiguration: Sendable {
  /// L1 bounds.
  public var cacheMaximumEntries = 50_000
  public var cacheMaximumBytes = 64 << 20
  public var quotePolicy = CachePolicy.quotes
  public var historyPolicy = CachePolicy.history
  /// How long "unknown symbol" is remembered, so a typo hammering the API costs one call.
  public var unknownSymbolTTL: Duration = .seconds(60)
  /// How often the refresh loop re-fetches every active watchlist symbol.
  public var refreshInterval: Duration = .seconds(2)
  /// Provider batches the refresh loop runs at once.
  public var refreshConcurrency = 4
  public var watchlists: [ImmortalID: Watchlist] = WatchlistBook.defaults

  public init() {}
}

/// One provider as configured: the adapter and where it stands in the routing order.
public struct ProviderRegistration: Sendable {
  public var provider: any QuoteProvider
  /// 1 is asked first; higher numbers are fallbacks.
  public var priority: Int
  /// Relative share of traffic among providers of the same priority.
  public var weight: Double

  public init(_ provider: any QuoteProvider, priority: Int = 1, weight: Double = 1) {
    self.provider = provider
    self.priority = priority
    self.weight = weight
  }
}
