import MarketCore

extension TierSettings {
  /// `[cache.history]`: how much history the SQLite tier keeps, and how long Redis keeps it.
  /// (How long the current block is fresh is the core's `historyPolicy`.)
  public struct HistorySettings: Sendable, Equatable {
    /// Bars the SQLite tier keeps (about 80 bytes of file each); past it the series read
    /// least recently go whole.
    public var sqliteMaximumBars = 4_000_000
    /// How long Redis keeps a settled block (one whose bars can no longer change).
    public var redisSettledLifetime: Duration = .seconds(7 * 86_400)

    public init() {}
  }
}

extension AppConfiguration {
  /// `[cache.history]`.
  static func parseHistory(_ history: TOMLReader, into configuration: inout AppConfiguration) throws(ConfigurationError) {
    try history.rejectUnknownKeys(["current_ttl", "current_max_staleness", "sqlite_max_bars", "redis_ttl_days"])
    var policy = configuration.core.historyPolicy.current
    if let ttl = try history.double("current_ttl", in: 1...86_400) { policy.timeToLive = .seconds(ttl) }
    if let staleness = try history.double("current_max_staleness", in: 0...604_800) {
      policy.maximumStaleness = .seconds(staleness)
    }
    configuration.core.historyPolicy.current = policy
    if let bars = try history.int("sqlite_max_bars", in: 1_000...1_000_000_000) {
      configuration.tiers.history.sqliteMaximumBars = bars
    }
    if let days = try history.double("redis_ttl_days", in: 0.01...365) {
      configuration.tiers.history.redisSettledLifetime = .seconds(days * 86_400)
    }
  }
}
