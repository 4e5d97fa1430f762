import CacheTiers
import Foundation
import MarketCore

/// `[cache] tiers` and the tables that configure each tier below L1.
public struct TierSettings: Sendable, Equatable {
  public enum Tier: String, Sendable, CaseIterable {
    case redis
    case sqlite
  }

  /// Below L1 (always first), in read order.
  public var tiers: [Tier] = [.sqlite]
  public var redis = RedisSettings()
  public var sqlite = SQLiteSettings()
  public var history = HistorySettings()

  public struct RedisSettings: Sendable, Equatable {
    /// `redis://[user[:password]@]host[:port][/db]`; a credential because it may hold the password.
    public var url: Credential?
    /// The password from `password_env`, preferred over one inside the URL.
    public var password: Credential?
    /// Every key and the cluster channel start with this.
    public var prefix = "lianyaohu:"
    public var commandTimeout: Duration = .milliseconds(250)
    public var connectTimeout: Duration = .seconds(1)
    public var poolSize = 4
    /// Stored entries at least this large are compressed.
    public var compressAbove = 512
    /// How long an instance's lease on one key's upstream call lasts (cluster-wide
    /// single-flight): the longest the others wait on a holder that died.
    public var flightLease: Duration = .seconds(5)
    /// For `rediss://`: the CA file to trust (else the system's), a client certificate and
    /// key, and the name the server's certificate must carry (else the URL's host).
    public var tlsCAFile: String?
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    public var tlsServerName: String?

    /// Whether any TLS setting is given: they need a `rediss://` URL.
    public var hasTLSSettings: Bool {
      tlsCAFile != nil || tlsCertificateFile != nil || tlsKeyFile != nil || tlsServerName != nil
    }
    /// How often each instance reads the operator state from Redis and writes its own.
    public var reconcileInterval: Duration = .seconds(3)
  }

  public struct SQLiteSettings: Sendable, Equatable {
    /// Default: `$XDG_DATA_HOME/lianyaohu/cache.sqlite`.
    public var path: String?
    public var historyLength = 240
    public var historyRetention: Duration = .seconds(7 * 86_400)
  }

  /// Where the SQLite tier lives when the config does not say.
  public static func defaultSQLitePath(environment: [String: String]) -> String {
    AppConfiguration.xdgDirectory("XDG_DATA_HOME", orHome: ".local/share", environment) + "/lianyaohu/cache.sqlite"
  }
}

extension AppConfiguration {
  /// `[cache]`: L1 bounds and policy, the tiers, and prefetch.
  static func parseCache(
    _ cache: TOMLReader, into configuration: inout AppConfiguration, environment: [String: String]
  ) throws(ConfigurationError) {
    try cache.rejectUnknownKeys([
      "max_entries", "max_bytes", "quote_ttl", "quote_refresh_ahead", "quote_max_staleness", "tiers", "redis", "sqlite",
      "history", "prefetch", "related",
    ])
    if let entries = try cache.int("max_entries", in: 1...10_000_000) { configuration.core.cacheMaximumEntries = entries }
    if let bytes = try cache.int("max_bytes", in: 1024...(16 << 30)) { configuration.core.cacheMaximumBytes = bytes }
    var policy = configuration.core.quotePolicy
    if let ttl = try cache.double("quote_ttl", in: 0.1...86_400) { policy.timeToLive = .seconds(ttl) }
    if let fraction = try cache.double("quote_refresh_ahead", in: 0...1) { policy.refreshAheadFraction = fraction }
    if let staleness = try cache.double("quote_max_staleness", in: 0...604_800) {
      policy.maximumStaleness = .seconds(staleness)
    }
    configuration.core.quotePolicy = policy

    if let names = try cache.strings("tiers") {
      guard names.first == "memory" else {
        throw cache.error("tiers", "must start with \"memory\" (L1 is always there), e.g. [\"memory\", \"sqlite\"]")
      }
      var tiers: [TierSettings.Tier] = []
      for name in names.dropFirst() {
        guard let tier = TierSettings.Tier(rawValue: name) else {
          throw cache.error(
            "tiers", "unknown tier \"\(ProviderError.sanitizedExcerpt(name, limit: 20))\" (known: memory, redis, sqlite)")
        }
        guard !tiers.contains(tier) else { throw cache.error("tiers", "\(name) is listed twice") }
        tiers.append(tier)
      }
      configuration.tiers.tiers = tiers
    }
    if let redis = try cache.table("redis") {
      try redis.rejectUnknownKeys([
        "url", "password_env", "prefix", "timeout_ms", "connect_timeout_ms", "pool_size", "compress_above",
        "flight_lease_ms", "tls_ca_file", "tls_cert_file", "tls_key_file", "tls_server_name",
        "reconcile_interval_ms",
      ])
      if let url = try redis.string("url") {
        try checkRedisURL(url) { message throws(ConfigurationError) in throw redis.error("url", message) }
        configuration.tiers.redis.url = Credential(value: url)
      }
      configuration.tiers.redis.password = try credential(redis, "password_env", nil, environment: environment)
      if let prefix = try redis.string("prefix") {
        guard (1...64).contains(prefix.utf8.count), prefix.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "*" }) else {
          throw redis.error("prefix", "1 to 64 printable ASCII characters without spaces or *")
        }
        configuration.tiers.redis.prefix = prefix
      }
      if let value = try redis.double("timeout_ms", in: 1...60_000) {
        configuration.tiers.redis.commandTimeout = .milliseconds(value)
      }
      if let value = try redis.double("connect_timeout_ms", in: 1...60_000) {
        configuration.tiers.redis.connectTimeout = .milliseconds(value)
      }
      if let value = try redis.int("pool_size", in: 1...64) { configuration.tiers.redis.poolSize = value }
      if let value = try redis.int("compress_above", in: 0...(1 << 20)) { configuration.tiers.redis.compressAbove = value }
      if let value = try redis.double("reconcile_interval_ms", in: 100...600_000) {
        configuration.tiers.redis.reconcileInterval = .milliseconds(value)
      }
      if let value = try redis.double("flight_lease_ms", in: 100...600_000) {
        configuration.tiers.redis.flightLease = .milliseconds(value)
      }
      // Files are checked here, so a typo is an error on its line rather than a tier down later.
      for (key, path) in [
        ("tls_ca_file", \TierSettings.RedisSettings.tlsCAFile), ("tls_cert_file", \.tlsCertificateFile),
        ("tls_key_file", \.tlsKeyFile),
      ] {
        guard let file = try redis.string(key) else { continue }
        guard FileManager.default.isReadableFile(atPath: file) else {
          throw redis.error(key, "cannot read the file \(file)")
        }
        configuration.tiers.redis[keyPath: path] = file
      }
      if (configuration.tiers.redis.tlsCertificateFile == nil) != (configuration.tiers.redis.tlsKeyFile == nil) {
        let missing = configuration.tiers.redis.tlsKeyFile == nil ? "tls_key_file" : "tls_cert_file"
        throw redis.error(missing, "a client certificate needs both tls_cert_file and tls_key_file")
      }
      if let name = try redis.string("tls_server_name") {
        guard (1...253).contains(name.utf8.count), name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
          throw redis.error("tls_server_name", "a host name of 1 to 253 characters without spaces")
        }
        configuration.tiers.redis.tlsServerName = name
      }
    }
    if let sqlite = try cache.table("sqlite") {
      try sqlite.rejectUnknownKeys(["path", "history_length", "history_retention_days"])
      if let path = try sqlite.string("path") {
        guard !path.isEmpty, path.utf8.count <= 4096 else { throw sqlite.error("path", "must be a file path") }
        configuration.tiers.sqlite.path = path
      }
      if let length = try sqlite.int("history_length", in: 1...100_000) { configuration.tiers.sqlite.historyLength = length }
      if let days = try sqlite.double("history_retention_days", in: 0.01...3650) {
        configuration.tiers.sqlite.historyRetention = .seconds(days * 86_400)
      }
    }
    if let history = try cache.table("history") { try parseHistory(history, into: &configuration) }
    if configuration.tiers.tiers.contains(.redis), configuration.tiers.redis.url == nil,
      environment[TierSettings.redisURLVariable].map({ $0.isEmpty }) ?? true
    {
      throw cache.error("tiers", "redis needs [cache.redis] url (or \(TierSettings.redisURLVariable))")
    }

    if let prefetch = try cache.table("prefetch") {
      try prefetch.rejectUnknownKeys(["enabled", "hot_after_reads", "window_s", "keep_hot_s", "max_hot_symbols"])
      var settings = configuration.core.prefetch
      if let enabled = try prefetch.bool("enabled") { settings.enabled = enabled }
      if let reads = try prefetch.int("hot_after_reads", in: 1...1000) { settings.hotAfterReads = reads }
      if let window = try prefetch.double("window_s", in: 1...86_400) { settings.window = .seconds(window) }
      if let keep = try prefetch.double("keep_hot_s", in: 1...86_400) { settings.keepHotFor = .seconds(keep) }
      if let maximum = try prefetch.int("max_hot_symbols", in: 0...10_000) { settings.maximumHotSymbols = maximum }
      configuration.core.prefetch = settings
    }
    if let related = try cache.table("related") {
      var groups: [Symbol: [Symbol]] = [:]
      for key in related.keys.sorted() {
        let symbol: Symbol
        do { symbol = try Symbol(validating: key) } catch { throw related.error(key, error.description) }
        let members = try parseSymbols(related, key) ?? []
        guard members.count <= 50 else { throw related.error(key, "at most 50 related symbols") }
        groups[symbol] = members.filter { $0 != symbol }
      }
      configuration.core.prefetch.relatedGroups = groups
    }
  }
}

extension TierSettings {
  /// Setting it turns the Redis tier on (ahead of SQLite) without editing the file.
  public static let redisURLVariable = "LIANYAOHU_REDIS_URL"
}

extension AppConfiguration {
  /// Refuses a Redis URL the client could not use; the message never repeats the URL, which
  /// may hold a password.
  public static func checkRedisURL(
    _ url: String, _ fail: (String) throws(ConfigurationError) -> Never
  ) throws(ConfigurationError) {
    do {
      _ = try RedisConfiguration(url: url)
    } catch {
      try fail("\(error)")
    }
  }
}
