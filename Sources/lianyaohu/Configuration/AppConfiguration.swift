import Foundation
import MarketCore

/// Everything the executable reads from its config file, environment and flags.
struct AppConfiguration: Sendable {
  /// Seed of the embedded simulated market.
  var seed: UInt64 = 8
  var core = CoreConfiguration()
  /// Configured providers; empty means the embedded simulated default.
  var providers: [ProviderSettings] = []
  var theme: String?
  /// The file this was read from (and where watchlist edits are saved), if any.
  var file: String?
}

/// One `[providers.NAME]` table.
struct ProviderSettings: Sendable, Equatable {
  enum Kind: String, Sendable, CaseIterable {
    case simulated
  }

  var name: String
  var kind: Kind
  var priority: Int
  var weight: Double
  var simulated: SimulatedBehaviour
}

extension AppConfiguration {
  /// Where the config lives when no `--config` is given: `$XDG_CONFIG_HOME/lianyaohu/config.toml`.
  static func defaultPath(environment: [String: String]) -> String {
    let base =
      environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"].map { $0 + "/.config" } ?? ".config")
    return base + "/lianyaohu/config.toml"
  }

  /// Reads a config file's text. Every mistake is a ``ConfigurationError`` naming the file,
  /// the line and the key.
  static func parse(_ text: String, file: String) throws(ConfigurationError) -> AppConfiguration {
    let document = try TOMLReader(text: text, file: file)
    try document.rejectUnknownKeys(["core", "cache", "dashboard", "providers", "watchlists"])
    var configuration = AppConfiguration()
    configuration.file = file

    if let core = try document.table("core") {
      try core.rejectUnknownKeys(["seed", "refresh_interval", "refresh_concurrency", "unknown_symbol_ttl"])
      if let seed = try core.int("seed", in: 0...Int.max) { configuration.seed = UInt64(seed) }
      if let interval = try core.double("refresh_interval", in: 0.1...3600) {
        configuration.core.refreshInterval = .seconds(interval)
      }
      if let concurrency = try core.int("refresh_concurrency", in: 1...64) { configuration.core.refreshConcurrency = concurrency }
      if let ttl = try core.double("unknown_symbol_ttl", in: 0...86_400) { configuration.core.unknownSymbolTTL = .seconds(ttl) }
    }

    if let cache = try document.table("cache") {
      try cache.rejectUnknownKeys(["max_entries", "max_bytes", "quote_ttl", "quote_refresh_ahead", "quote_max_staleness"])
      if let entries = try cache.int("max_entries", in: 1...10_000_000) { configuration.core.cacheMaximumEntries = entries }
      if let bytes = try cache.int("max_bytes", in: 1024...(16 << 30)) { configuration.core.cacheMaximumBytes = bytes }
      var policy = configuration.core.quotePolicy
      if let ttl = try cache.double("quote_ttl", in: 0.1...86_400) { policy.timeToLive = .seconds(ttl) }
      if let fraction = try cache.double("quote_refresh_ahead", in: 0...1) { policy.refreshAheadFraction = fraction }
      if let staleness = try cache.double("quote_max_staleness", in: 0...604_800) {
        policy.maximumStaleness = .seconds(staleness)
      }
      configuration.core.quotePolicy = policy
    }

    if let dashboard = try document.table("dashboard") {
      try dashboard.rejectUnknownKeys(["theme"])
      configuration.theme = try dashboard.string("theme")
    }

    if let providers = try document.table("providers") {
      for name in providers.keys.sorted() {
        guard let table = try providers.table(name) else { continue }
        configuration.providers.append(try parseProvider(name: name, table))
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

  private static func parseProvider(name: String, _ table: TOMLReader) throws(ConfigurationError) -> ProviderSettings {
    guard name.utf8.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    else {
      throw table.error(nil, "provider names use letters, digits, - and _ (at most 32)")
    }
    try table.rejectUnknownKeys([
      "kind", "priority", "weight", "latency_median_ms", "latency_p99_ms", "error_rate", "timeout_rate", "timeout_ms",
      "garbage_rate", "batch_size", "outage_period_s", "outage_down_s", "outage_phase_s",
    ])
    guard let kindText = try table.string("kind") else { throw table.error("kind", "missing (one of: simulated)") }
    guard let kind = ProviderSettings.Kind(rawValue: kindText) else {
      throw table.error(
        "kind",
        "unknown provider kind \"\(ProviderError.sanitizedExcerpt(kindText, limit: 20))\" (known: "
          + ProviderSettings.Kind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
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
    if let timeout = try table.double("timeout_ms", in: 1...600_000) { behaviour.timeout = .milliseconds(timeout) }
    if let batch = try table.int("batch_size", in: 1...1000) { behaviour.maximumBatchSize = batch }
    if let period = try table.double("outage_period_s", in: 1...604_800) {
      let down = try table.double("outage_down_s", in: 0...604_800) ?? 0
      guard down <= period else { throw table.error("outage_down_s", "must not exceed outage_period_s (\(period))") }
      let phase = try table.double("outage_phase_s", in: 0...604_800) ?? 0
      behaviour.outages = [.init(period: .seconds(period), downtime: .seconds(down), phase: .seconds(phase))]
    }
    return ProviderSettings(
      name: name, kind: kind, priority: try table.int("priority", in: 1...100) ?? 1,
      weight: try table.double("weight", in: 0.01...1000) ?? 1, simulated: behaviour)
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

  private static func parseSymbols(_ table: TOMLReader, _ key: String) throws(ConfigurationError) -> [Symbol]? {
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
