import CacheTiers
import Foundation
import Logging
import MarketCore
import ServiceLifecycle

/// The core with the cache tiers its configuration asks for, and the services that keep them
/// running: what `serve` and `dash` run. (One-shot commands such as `quote` use L1 alone.)
struct CoreAssembly {
  let core: DataAbstractionLayer
  /// Tier writers, the Redis client and the cluster bus, then the refresh loop (which warms
  /// L1 from the tiers first). A ServiceGroup stops them in reverse, so the refresh loop ends
  /// before the writers flush.
  let services: [ServiceGroupConfiguration.ServiceConfiguration]
  /// The persistent tier, for sparkline history; nil when it is not configured or would not open.
  let sqlite: SQLiteQuoteTier?
  let cluster: ClusterBus?

  static func assemble(
    _ configuration: AppConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
    logger: Logger, clock: any MarketClock = SystemClock()
  ) -> CoreAssembly {
    var tiers: [any QuoteTier] = []
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    var sqlite: SQLiteQuoteTier?
    var redis: RedisClient?
    let policy = configuration.core.quotePolicy
    for tier in configuration.tiers.tiers {
      switch tier {
      case .redis:
        let settings = configuration.tiers.redis
        do {
          let client = RedisClient(configuration: try redisConfiguration(settings), logger: logger)
          var options = RedisQuoteTier.Options()
          options.prefix = settings.prefix
          options.compressAbove = settings.compressAbove
          options.entryLifetime = policy.timeToLive + policy.maximumStaleness
          let redisTier = RedisQuoteTier(client: client, options: options, logger: logger)
          tiers.append(redisTier)
          services.append(.init(service: client))
          services.append(.init(service: redisTier))
          redis = client
        } catch {
          logger.error("the Redis tier is off", metadata: ["error": "\(error)"])
          tiers.append(UnavailableTier(name: "redis", reason: "\(error)"))
        }
      case .sqlite:
        let settings = configuration.tiers.sqlite
        let path = settings.path ?? TierSettings.defaultSQLitePath(environment: environment)
        var options = SQLiteQuoteTier.Options()
        options.historyLength = settings.historyLength
        options.historyRetention = settings.historyRetention
        do {
          let tier = try SQLiteQuoteTier(path: path, options: options, logger: logger)
          tiers.append(tier)
          services.append(.init(service: tier))
          sqlite = tier
        } catch {
          // A cache that will not open costs speed after a restart, never the service.
          logger.error("the SQLite tier is off", metadata: ["error": "\(error)"])
          tiers.append(UnavailableTier(name: "sqlite", reason: "\(error)"))
        }
      }
    }
    let core = makeCore(configuration: configuration, clock: clock, tiers: tiers)
    var cluster: ClusterBus?
    if let redis {
      let bus = ClusterBus(
        client: redis, channel: configuration.tiers.redis.prefix + "events", instanceID: ClusterBus.makeInstanceID(),
        core: core, logger: logger)
      services.append(.init(service: bus))
      cluster = bus
      logger.notice("sharing the cache and operator actions through Redis", metadata: ["instance": "\(bus.instanceID)"])
    }
    services.append(.init(service: RefreshService(loop: RefreshLoop(core: core), warmFirst: !tiers.isEmpty)))
    return CoreAssembly(core: core, services: services, sqlite: sqlite, cluster: cluster)
  }

  static func redisConfiguration(_ settings: TierSettings.RedisSettings) throws -> RedisConfiguration {
    var configuration = try RedisConfiguration(url: settings.url?.value ?? "redis://127.0.0.1:6379")
    if let password = settings.password { configuration.password = Secret(password.value) }
    configuration.commandTimeout = settings.commandTimeout
    configuration.connectTimeout = settings.connectTimeout
    configuration.poolSize = settings.poolSize
    return configuration
  }
}

/// A tier that would not start, kept in the list so panes, `/v1/cache` and `/metrics` say
/// why it is missing.
struct UnavailableTier: QuoteTier {
  let name: String
  let reason: String
  var isShared: Bool { false }
  func load(_ symbols: [Symbol]) async -> [Symbol: Quote] { [:] }
  func store(_ quotes: [Quote]) {}
  func invalidate(_ scope: InvalidationScope) {}
  var statistics: CacheStatistics {
    var statistics = CacheStatistics(tier: name)
    statistics.unavailable = reason
    return statistics
  }
}
