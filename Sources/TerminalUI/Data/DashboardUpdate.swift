import MarketCore

/// One change a data source reports between snapshots.
public enum DashboardUpdate: Hashable, Sendable {
  /// Everything at once (a remote core's first look after connecting).
  case snapshot(DashboardSnapshot)
  /// A core event: a quote update, a watchlist change, a breaker transition, an error ...
  case event(MarketEvent)
  /// An event a remote core reported, already in the words it used for it.
  case eventLine(EventLine)
  case providers([ProviderStatus])
  case cacheTiers([CacheStatistics])
  case connection(ConnectionState)

  /// The dashboard action that applies it.
  public var action: Action {
    switch self {
    case .snapshot(let snapshot): .snapshot(snapshot)
    case .event(let event): .event(event)
    case .eventLine(let line): .eventLine(line)
    case .providers(let statuses): .providerStatuses(statuses)
    case .cacheTiers(let tiers): .cacheStatistics(tiers)
    case .connection(let connection): .connection(connection)
    }
  }
}
