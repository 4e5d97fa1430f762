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
  /// How a quote that missed every cache is fetched from the providers the router chose.
  public var quoteFanOut = FanOutPolicy.failover
  /// How provider weights adapt to measured latency and errors.
  public var adaptiveWeights = AdaptiveWeights()
  /// What a quote must satisfy to be kept, and when providers count as disagreeing.
  public var dataQuality = DataQuality()
  /// Which unwatched symbols join the background refresh, and which are warmed together.
  public var prefetch = Prefetcher.Configuration()

  public init() {}
}

/// How several candidate providers are asked for one quote.
public enum FanOutPolicy: Hashable, Sendable, CustomStringConvertible {
  /// One at a time, in routing order, until one answers.
  case failover
  /// Every candidate at once; the first success wins, the rest are cancelled.
  case firstWins
  /// The best candidate first; if it has not answered by its recent latency at
  /// `delayPercentile` (clamped to the bounds), the next as well, while extra requests stay
  /// under `maximumExtraRatio`. A lower percentile hedges sooner and more often: about
  /// `(100 - delayPercentile)` % of requests, so keep it above `100 × (1 - maximumExtraRatio)`
  /// or the budget, not the delay, decides which slow requests get a hedge.
  case hedged(maximumExtraRatio: Double, delayPercentile: Double, minimumDelay: Duration, maximumDelay: Duration)

  /// The Tail at Scale's recipe: hedge after the p95, for a few percent more requests.
  public static let hedgedDefault = FanOutPolicy.hedged(
    maximumExtraRatio: 0.1, delayPercentile: 95, minimumDelay: .milliseconds(10), maximumDelay: .seconds(2))

  public var description: String {
    switch self {
    case .failover: "failover"
    case .firstWins: "firstWins"
    case .hedged: "hedged"
    }
  }
}

/// One provider as configured: the adapter and where it stands in the routing order.
public struct ProviderRegistration: Sendable {
  public var provider: any QuoteProvider
  /// 1 is asked first; higher numbers are fallbacks.
  public var priority: Int
  /// Relative share of traffic among providers of the same priority.
  public var weight: Double
  public var breaker: CircuitBreakerConfiguration
  public var limits: ProviderLimitsConfiguration
  public var health: HealthTracker.Configuration

  public init(
    _ provider: any QuoteProvider, priority: Int = 1, weight: Double = 1,
    breaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
    limits: ProviderLimitsConfiguration = ProviderLimitsConfiguration(),
    health: HealthTracker.Configuration = HealthTracker.Configuration()
  ) {
    self.provider = provider
    self.priority = priority
    self.weight = weight
    self.breaker = breaker
    self.limits = limits
    self.health = health
  }
}
