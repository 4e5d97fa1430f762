/// Tunables of the core, with defaults a desk can run on. The executable fills this from
/// flags, environment and the config file.
public struct CoreConfiguration: Sendable {
  /// L1 bounds.
  public var cacheMaximumEntries = 50_000
  public var cacheMaximumBytes = 64 << 20
  /// Quotes' TTL, refresh-ahead, staleness, and how long "unknown symbol" is remembered.
  public var quotePolicy = CachePolicy.quotes
  /// How long blocks of history bars are believed, current and settled.
  public var historyPolicy = HistoryPolicy()
  /// How long a company profile is believed (a day).
  public var profilePolicy = ProfileData.defaultPolicy
  /// How often the refresh loop re-fetches every active watchlist symbol.
  public var refreshInterval: Duration = .seconds(2)
  /// Provider batches the refresh loop runs at once.
  public var refreshConcurrency = 4
  public var watchlists: [ImmortalID: Watchlist] = WatchlistBook.defaults
  /// How a quote that missed every cache is fetched from the providers the router chose.
  public var quoteFanOut = FanOutPolicy.failover
  /// How provider weights adapt to measured latency and errors.
  public var adaptiveWeights = AdaptiveWeights()
  /// What a quote must satisfy to be kept, and when providers count as disagreeing.
  public var dataQuality = DataQuality()
  /// Which unwatched symbols join the background refresh, and which are warmed together.
  public var prefetch = Prefetcher.Configuration()
  /// This instance's name among those sharing operator state: the last tiebreak between two
  /// versions of it (see ``HybridTimestamp``).
  public var instanceID = "local"

  public init() {}
}
