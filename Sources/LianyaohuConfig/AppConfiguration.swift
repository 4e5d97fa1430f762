import Foundation
import MarketCore

/// Everything the executable reads from its config file, environment and flags.
public struct AppConfiguration: Sendable {
  /// Seed of the embedded simulated market.
  public var seed: UInt64 = 8
  /// The core's settings; quotes are hedged by default (the Tail at Scale recipe).
  public var core: CoreConfiguration = {
    var core = CoreConfiguration()
    core.quoteFanOut = .hedgedDefault
    return core
  }()
  /// Configured providers; empty means the embedded simulated default.
  public var providers: [ProviderSettings] = []
  public var theme: String?
  /// The cache tiers below L1.
  public var tiers = TierSettings()
  /// The file this was read from (and where watchlist edits are saved), if any.
  public var file: String?
}

/// One `[providers.NAME]` table.
public struct ProviderSettings: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    case simulated
    case openbb
    case yahoo
    case alphaVantage = "alpha-vantage"
    case finnhub
    case fmp
    case polygon
    case stooq
    /// Cboe's delayed quotes (US shares, ETFs, indices); no key.
    case cboe
    /// TMX Money's GraphQL quotes (Canadian listings); no key.
    case tmx

    /// The free tiers are tight; these are their published limits, used unless the config
    /// says otherwise.
    public var defaultLimits: ProviderLimitsConfiguration {
      var limits = ProviderLimitsConfiguration()
      switch self {
      case .alphaVantage: limits.dailyQuota = 25
      case .finnhub: limits.requestsPerMinute = 60
      case .polygon: limits.requestsPerMinute = 5
      case .fmp: limits.dailyQuota = 250
      case .simulated, .openbb, .yahoo, .stooq, .cboe, .tmx: break
      }
      return limits
    }

    /// Whether the kind needs an API key (`api_key_env` or `api_key`).
    public var needsKey: Bool { [.alphaVantage, .finnhub, .fmp, .polygon].contains(self) }
  }

  public var name: String
  public var kind: Kind
  public var priority: Int
  public var weight: Double
  public var simulated: SimulatedBehaviour
  public var breaker = CircuitBreakerConfiguration()
  public var limits = ProviderLimitsConfiguration()
  /// Where the provider's API lives (for proxies, gateways and tests); nil for its default.
  public var baseURL: String?
  /// Resolved from `api_key_env` (preferred) or `api_key`. Never printed: ``Credential``
  /// hides it.
  public var apiKey: Credential?
  /// OpenBB: the backend provider it should use (`fmp`, `yfinance`, ...) and Basic auth.
  public var backend: String?
  public var username: String?
  public var password: Credential?
  /// Yahoo: a crumb and cookie pair enables the batched v7 quote endpoint.
  public var crumb: Credential?
  public var cookie: Credential?
  public var timeout: Duration = .seconds(8)
}

/// A secret from the environment or the config file. Every printed form is redacted.
public struct Credential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
  public let value: String
  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
}

extension AppConfiguration {
  /// Where the config lives when no `--config` is given: `$XDG_CONFIG_HOME/lianyaohu/config.toml`.
  public static func defaultPath(environment: [String: String]) -> String {
    xdgDirectory("XDG_CONFIG_HOME", orHome: ".config", environment) + "/lianyaohu/config.toml"
  }

  /// An XDG base directory: the variable when set and not empty, else its default under
  /// `$HOME` (relative to the working directory when even `HOME` is unset).
  public static func xdgDirectory(_ variable: String, orHome relative: String, _ environment: [String: String]) -> String {
    environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"].map { $0 + "/" + relative } ?? relative)
  }

  /// Reads a config file's text. Every mistake is a ``ConfigurationError`` naming the file,
  /// the line and the key.
  public static func parse(
    _ text: String, file: String, environment: [String: String] = [:]
  ) throws(ConfigurationError) -> AppConfiguration {
    let document = try TOMLReader(text: text, file: file)
    try document.rejectUnknownKeys(["core", "cache", "routing", "dashboard", "providers", "watchlists"])
    var configuration = AppConfiguration()
    configuration.file = file

    if let core = try document.table("core") {
      try core.rejectUnknownKeys(["seed", "refresh_interval", "refresh_concurrency", "unknown_symbol_ttl"])
      if let seed = try core.int("seed", in: 0...Int.max) { configuration.seed = UInt64(seed) }
      if let interval = try core.double("refresh_interval", in: 0.1...3600) {
        configuration.core.refreshInterval = .seconds(interval)
      }
      if let concurrency = try core.int("refresh_concurrency", in: 1...64) { configuration.core.refreshConcurrency = concurrency }
      if let ttl = try core.double("unknown_symbol_ttl", in: 0...86_400) {
        configuration.core.quotePolicy.negativeTimeToLive = .seconds(ttl)
      }
    }

    if let cache = try document.table("cache") {
      try parseCache(cache, into: &configuration, environment: environment)
    }

    if let routing = try document.table("routing") {
      try routing.rejectUnknownKeys([
        "quote_policy", "hedge_max_extra_ratio", "hedge_delay_percentile", "hedge_min_delay_ms", "hedge_max_delay_ms",
      ])
      switch try routing.string("quote_policy") {
      case nil, "hedged"?:
        let ratio = try routing.double("hedge_max_extra_ratio", in: 0...1) ?? 0.15
        // Without a fixed percentile the delay is tuned from the providers' live latency.
        let delay = try routing.double("hedge_delay_percentile", in: 50...99.9).map(HedgeDelay.percentile) ?? .tuned
        let minimum = try routing.double("hedge_min_delay_ms", in: 0...60_000) ?? 10
        let maximum = try routing.double("hedge_max_delay_ms", in: 0...60_000) ?? 2000
        guard maximum >= minimum else { throw routing.error("hedge_max_delay_ms", "must not be below hedge_min_delay_ms") }
        configuration.core.quoteFanOut = .hedged(
          maximumExtraRatio: ratio, delay: delay, minimumDelay: .milliseconds(minimum),
          maximumDelay: .milliseconds(maximum))
      case "failover"?: configuration.core.quoteFanOut = .failover
      case "firstWins"?: configuration.core.quoteFanOut = .firstWins
      case let other?:
        throw routing.error(
          "quote_policy", "\"\(ProviderError.sanitizedExcerpt(other, limit: 20))\" is not one of failover, firstWins, hedged")
      }
    }

    if let dashboard = try document.table("dashboard") {
      try dashboard.rejectUnknownKeys(["theme"])
      configuration.theme = try dashboard.string("theme")
    }

    if let providers = try document.table("providers") {
      for name in providers.keys.sorted() {
        guard let table = try providers.table(name) else { continue }
        configuration.providers.append(try parseProvider(name: name, table, environment: environment))
      }
      let priorities = configuration.providers.map(\.priority)
      if priorities.isEmpty { throw providers.error(nil, "lists no providers; remove the table to use the embedded default") }
    }

    if let watchlists = try document.table("watchlists") {
      let known = Set(ImmortalID.allCases.map(\.rawValue))
      try watchlists.rejectUnknownKeys(known)
      for id in ImmortalID.allCases {
        guard let table = try watchlists.table(id.rawValue) else { continue }
        configuration.core.watchlists[id] = try parseWatchlist(table)
      }
    }
    return configuration
  }

  private static func parseProvider(
    name: String, _ table: TOMLReader, environment: [String: String]
  ) throws(ConfigurationError) -> ProviderSettings {
    guard name.utf8.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    else {
      throw table.error(nil, "provider names use letters, digits, - and _ (at most 32)")
    }
    let known = ProviderSettings.Kind.allCases.map(\.rawValue).joined(separator: ", ")
    guard let kindText = try table.string("kind") else { throw table.error("kind", "missing (one of: \(known))") }
    guard let kind = ProviderSettings.Kind(rawValue: kindText) else {
      throw table.error(
        "kind", "unknown provider kind \"\(ProviderError.sanitizedExcerpt(kindText, limit: 20))\" (known: \(known))")
    }
    let common: Set<String> = [
      "kind", "priority", "weight", "timeout_ms", "max_concurrent", "requests_per_minute", "burst", "daily_quota",
      "cost_per_call", "breaker_window", "breaker_window_s", "breaker_min_calls", "failure_rate_threshold", "slow_call_ms",
      "slow_call_rate_threshold", "open_wait_s", "open_wait_max_s", "half_open_calls",
    ]
    let simulatedKeys: Set<String> = [
      "latency_median_ms", "latency_p99_ms", "error_rate", "timeout_rate", "garbage_rate", "batch_size", "outage_period_s",
      "outage_down_s", "outage_phase_s",
    ]
    let httpKeys: Set<String> = [
      "base_url", "api_key_env", "api_key", "backend", "username", "password_env", "crumb_env", "cookie_env",
    ]
    try table.rejectUnknownKeys(common.union(kind == .simulated ? simulatedKeys : httpKeys))

    var settings = ProviderSettings(
      name: name, kind: kind, priority: try table.int("priority", in: 1...100) ?? 1,
      weight: try table.double("weight", in: 0.01...1000) ?? 1, simulated: SimulatedBehaviour())
    if let timeout = try table.double("timeout_ms", in: 1...600_000) { settings.timeout = .milliseconds(timeout) }
    settings.limits = try parseLimits(table, defaults: kind.defaultLimits)
    settings.breaker = try parseBreaker(table)
    if kind == .simulated {
      settings.simulated = try parseSimulated(table)
      if let timeout = try table.double("timeout_ms", in: 1...600_000) { settings.simulated.timeout = .milliseconds(timeout) }
      return settings
    }
    if let url = try table.string("base_url") {
      guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count <= 512, !url.contains(" ") else {
        throw table.error("base_url", "must be an http:// or https:// URL")
      }
      settings.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }
    settings.apiKey = try credential(table, "api_key_env", "api_key", environment: environment)
    if kind.needsKey, settings.apiKey == nil {
      throw table.error("api_key_env", "\(kind.rawValue) needs an API key: set api_key_env to the name of a variable holding it")
    }
    settings.backend = try table.string("backend")
    settings.username = try table.string("username")
    settings.password = try credential(table, "password_env", nil, environment: environment)
    // Yahoo's v7 quote needs a session (crumb and cookie); without one the v8 chart is used.
    settings.crumb = try credential(table, "crumb_env", nil, environment: environment)
    settings.cookie = try credential(table, "cookie_env", nil, environment: environment)
    if (settings.crumb == nil) != (settings.cookie == nil) {
      throw table.error(settings.crumb == nil ? "crumb_env" : "cookie_env", "crumb_env and cookie_env go together")
    }
    return settings
  }

  /// A key named by an environment variable (preferred) or written in the file.
  static func credential(
    _ table: TOMLReader, _ environmentKey: String, _ literalKey: String?, environment: [String: String]
  ) throws(ConfigurationError) -> Credential? {
    if let variable = try table.string(environmentKey) {
      guard let value = environment[variable], !value.isEmpty else {
        throw table.error(
          environmentKey, "environment variable \(ProviderError.sanitizedExcerpt(variable, limit: 40)) is not set")
      }
      return Credential(value: value)
    }
    if let literalKey, let value = try table.string(literalKey), !value.isEmpty { return Credential(value: value) }
    return nil
  }

  private static func parseSimulated(_ table: TOMLReader) throws(ConfigurationError) -> SimulatedBehaviour {
    var behaviour = SimulatedBehaviour()
    let median = try table.double("latency_median_ms", in: 0...60_000) ?? behaviour.latency.median.milliseconds
    let p99 = try table.double("latency_p99_ms", in: 0...600_000) ?? max(median, behaviour.latency.p99.milliseconds)
    guard p99 >= median else { throw table.error("latency_p99_ms", "must not be below latency_median_ms (\(median))") }
    behaviour.latency = .init(median: .milliseconds(median), p99: .milliseconds(p99))
    behaviour.errorRate = try table.double("error_rate", in: 0...1) ?? 0
    behaviour.timeoutRate = try table.double("timeout_rate", in: 0...1) ?? 0
    behaviour.garbageRate = try table.double("garbage_rate", in: 0...1) ?? 0
    if behaviour.errorRate + behaviour.timeoutRate + behaviour.garbageRate > 1 {
      throw table.error("error_rate", "error_rate + timeout_rate + garbage_rate must not exceed 1")
    }
    if let batch = try table.int("batch_size", in: 1...1000) { behaviour.maximumBatchSize = batch }
    if let period = try table.double("outage_period_s", in: 1...604_800) {
      let down = try table.double("outage_down_s", in: 0...604_800) ?? 0
      guard down <= period else { throw table.error("outage_down_s", "must not exceed outage_period_s (\(period))") }
      let phase = try table.double("outage_phase_s", in: 0...604_800) ?? 0
      behaviour.outages = [.init(period: .seconds(period), downtime: .seconds(down), phase: .seconds(phase))]
    }
    return behaviour
  }

  private static func parseLimits(
    _ table: TOMLReader, defaults: ProviderLimitsConfiguration
  ) throws(ConfigurationError) -> ProviderLimitsConfiguration {
    var limits = defaults
    if let value = try table.int("max_concurrent", in: 1...10_000) { limits.maxConcurrent = value }
    if let value = try table.double("requests_per_minute", in: 0.01...1_000_000) { limits.requestsPerMinute = value }
    if let value = try table.int("burst", in: 1...100_000) { limits.burst = value }
    if let value = try table.int("daily_quota", in: 1...100_000_000) { limits.dailyQuota = value }
    if let value = try table.double("cost_per_call", in: 0...1_000_000) { limits.costPerCall = value }
    return limits
  }

  private static func parseBreaker(_ table: TOMLReader) throws(ConfigurationError) -> CircuitBreakerConfiguration {
    var breaker = CircuitBreakerConfiguration()
    if let size = try table.int("breaker_window", in: 1...10_000) { breaker.slidingWindow = .countBased(size: size) }
    if let seconds = try table.int("breaker_window_s", in: 1...3600) {
      breaker.slidingWindow = .timeBased(duration: .seconds(seconds))
    }
    if let value = try table.int("breaker_min_calls", in: 1...10_000) { breaker.minimumNumberOfCalls = value }
    if let value = try table.double("failure_rate_threshold", in: 1...100) { breaker.failureRateThreshold = value }
    if let value = try table.double("slow_call_ms", in: 1...600_000) { breaker.slowCallDurationThreshold = .milliseconds(value) }
    if let value = try table.double("slow_call_rate_threshold", in: 1...100) { breaker.slowCallRateThreshold = value }
    if let value = try table.double("open_wait_s", in: 0.1...86_400) { breaker.waitDurationInOpen = .seconds(value) }
    if let value = try table.double("open_wait_max_s", in: 0.1...86_400) { breaker.maximumWaitDurationInOpen = .seconds(value) }
    if let value = try table.int("half_open_calls", in: 1...1000) { breaker.permittedCallsInHalfOpen = value }
    return breaker
  }

  private static func parseWatchlist(_ table: TOMLReader) throws(ConfigurationError) -> Watchlist {
    try table.rejectUnknownKeys(["symbols", "inactive"])
    let symbols = try parseSymbols(table, "symbols") ?? []
    let inactive = Set(try parseSymbols(table, "inactive") ?? [])
    if let stray = inactive.subtracting(symbols).sorted().first {
      throw table.error("inactive", "\(stray) is not in symbols")
    }
    if symbols.count > Watchlist.maximumEntries {
      throw table.error("symbols", "at most \(Watchlist.maximumEntries) symbols per watchlist")
    }
    return Watchlist(entries: symbols.map { Watchlist.Entry(symbol: $0, isActive: !inactive.contains($0)) })
  }

  static func parseSymbols(_ table: TOMLReader, _ key: String) throws(ConfigurationError) -> [Symbol]? {
    guard let texts = try table.strings(key) else { return nil }
    var symbols: [Symbol] = []
    for text in texts {
      do { symbols.append(try Symbol(validating: text)) } catch { throw table.error(key, error.description) }
    }
    return symbols
  }
}

extension Duration {
  fileprivate static func milliseconds(_ value: Double) -> Duration { .nanoseconds(Int64(value * 1e6)) }
}

extension SimulatedMarketSetup {
  /// The embedded default providers as configuration, so `--provider sim-beta` can pick one.
  public static var defaultSettings: [ProviderSettings] {
    let market = SimulatedMarket()
    return providers(market: market, clock: SystemClock()).compactMap { registration in
      guard let simulated = registration.provider as? SimulatedProvider else { return nil }
      return ProviderSettings(
        name: simulated.id.name, kind: .simulated, priority: registration.priority, weight: registration.weight,
        simulated: simulated.currentBehaviour)
    }
  }
}
