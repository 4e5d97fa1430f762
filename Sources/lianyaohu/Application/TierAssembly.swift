import CacheTiers
import Foundation
import LianyaohuConfig
import Logging
import MarketCore
import ServiceLifecycle

/// The cache tiers below memory that a configuration asks for, and the services that keep
/// them running (the Redis client, the tier writers). A tier that will not start stays in the
/// list as an ``UnavailableTier`` saying why.
struct TierAssembly {
  /// In read order.
  let tiers: [any CacheTier]
  let services: [ServiceGroupConfiguration.ServiceConfiguration]
  /// The persistent tier, for sparkline history; nil when it is not configured or would not open.
  let sqlite: SQLiteQuoteTier?
  /// The Redis client, for the cluster bus; nil without a working Redis tier.
  let redis: RedisClient?

  static func assemble(
    _ configuration: AppConfiguration, environment: [String: String], logger: Logger
  ) -> TierAssembly {
    var tiers: [any CacheTier] = []
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    var sqlite: SQLiteQuoteTier?
    var redis: RedisClient?
    for tier in configuration.tiers.tiers {
      switch tier {
      case .redis:
        let settings = configuration.tiers.redis
        do {
          let client = RedisClient(configuration: try redisConfiguration(settings), logger: logger)
          let redisTier = RedisQuoteTier(client: client, options: redisOptions(configuration), logger: logger)
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
        do {
          let tier = try SQLiteQuoteTier(path: path, options: sqliteOptions(configuration), logger: logger)
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
    return TierAssembly(tiers: tiers, services: services, sqlite: sqlite, redis: redis)
  }

  /// The Redis tier's options: each class's entries live as long as the core could still serve
  /// them (TTL plus staleness limit), settled history blocks as `[cache.history]` says.
  static func redisOptions(_ configuration: AppConfiguration) -> RedisQuoteTier.Options {
    let settings = configuration.tiers.redis
    let quotes = configuration.core.quotePolicy
    let history = configuration.core.historyPolicy
    let profiles = configuration.core.profilePolicy
    var options = RedisQuoteTier.Options()
    options.prefix = settings.prefix
    options.compressAbove = settings.compressAbove
    options.entryLifetime = quotes.timeToLive + quotes.maximumStaleness
    options.currentSeriesLifetime = history.current.timeToLive + history.current.maximumStaleness
    options.settledSeriesLifetime = configuration.tiers.history.redisSettledLifetime
    options.profileLifetime = profiles.timeToLive + profiles.maximumStaleness
    options.historyPolicy = history
    return options
  }

  /// The SQLite tier's options: tick history from `[cache.sqlite]`, the bar cap from
  /// `[cache.history]`.
  static func sqliteOptions(_ configuration: AppConfiguration) -> SQLiteQuoteTier.Options {
    var options = SQLiteQuoteTier.Options()
    options.historyLength = configuration.tiers.sqlite.historyLength
    options.historyRetention = configuration.tiers.sqlite.historyRetention
    options.maximumHistoryBars = configuration.tiers.history.sqliteMaximumBars
    return options
  }

  static func redisConfiguration(_ settings: TierSettings.RedisSettings) throws -> RedisConfiguration {
    var configuration = try RedisConfiguration(url: settings.url?.value ?? "redis://127.0.0.1:6379")
    if let password = settings.password { configuration.password = Secret(password.value) }
    configuration.commandTimeout = settings.commandTimeout
    configuration.connectTimeout = settings.connectTimeout
    configuration.poolSize = settings.poolSize
    if configuration.tls != nil {
      configuration.tls = RedisTLS(
        caFile: settings.tlsCAFile, certificateFile: settings.tlsCertificateFile, keyFile: settings.tlsKeyFile,
        serverName: settings.tlsServerName)
    } else if settings.hasTLSSettings {
      throw TLSWithoutRediss()
    }
    return configuration
  }

  struct TLSWithoutRediss: Error, CustomStringConvertible {
    var description: String { "[cache.redis] tls_* settings need a rediss:// URL (the URL given is redis://)" }
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
