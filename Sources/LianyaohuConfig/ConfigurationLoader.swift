import Foundation
import MarketCore

/// Resolves the configuration in the documented precedence: flags, then `LIANYAOHU_*`
/// environment variables, then the config file, then defaults.
public struct ConfigurationLoader {
  public var environment: [String: String]

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// What flags said, which override everything else.
  public struct Flags: Sendable {
    /// `--config FILE`.
    public var config: String?
    public var seed: UInt64?
    /// Seconds.
    public var refreshInterval: Double?

    public init(config: String? = nil, seed: UInt64? = nil, refreshInterval: Double? = nil) {
      self.config = config
      self.seed = seed
      self.refreshInterval = refreshInterval
    }
  }

  public func load(flags options: Flags = Flags()) throws(ConfigurationError) -> AppConfiguration {
    let explicit = options.config ?? environment["LIANYAOHU_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    let path = explicit ?? AppConfiguration.defaultPath(environment: environment)
    var configuration: AppConfiguration
    if let text = try read(path, required: explicit != nil) {
      configuration = try AppConfiguration.parse(text, file: path, environment: environment)
    } else {
      configuration = AppConfiguration()
      configuration.file = path
    }
    if let seed = try environmentValue("LIANYAOHU_SEED", { UInt64($0) }) { configuration.seed = seed }
    if let interval = try environmentValue(
      "LIANYAOHU_REFRESH_INTERVAL", { Double($0).flatMap { (0.1...3600).contains($0) ? $0 : nil } })
    {
      configuration.core.refreshInterval = .nanoseconds(Int64(interval * 1e9))
    }
    if let theme = environment["LIANYAOHU_THEME"], !theme.isEmpty { configuration.theme = theme }
    if let url = environment[TierSettings.redisURLVariable], !url.isEmpty {
      try AppConfiguration.checkRedisURL(url) { message throws(ConfigurationError) in
        throw ConfigurationError(file: "environment", line: nil, key: TierSettings.redisURLVariable, message: message)
      }
      configuration.tiers.redis.url = Credential(value: url)
      if !configuration.tiers.tiers.contains(.redis) { configuration.tiers.tiers.insert(.redis, at: 0) }
    }
    if let seed = options.seed { configuration.seed = seed }
    if let interval = options.refreshInterval { configuration.core.refreshInterval = .nanoseconds(Int64(interval * 1e9)) }
    return configuration
  }

  /// The file's text; nil when an optional default file does not exist.
  private func read(_ path: String, required: Bool) throws(ConfigurationError) -> String? {
    guard FileManager.default.fileExists(atPath: path) else {
      if required { throw ConfigurationError(file: path, line: nil, key: nil, message: "no such file") }
      return nil
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(file: path, line: nil, key: nil, message: "cannot be read")
    }
    guard data.count <= 1 << 20 else {
      throw ConfigurationError(file: path, line: nil, key: nil, message: "is larger than 1 MiB; is it the right file?")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigurationError(file: path, line: nil, key: nil, message: "is not UTF-8 text")
    }
    return text
  }

  private func environmentValue<Value>(_ name: String, _ parse: (String) -> Value?) throws(ConfigurationError) -> Value? {
    guard let text = environment[name], !text.isEmpty else { return nil }
    guard let value = parse(text) else {
      throw ConfigurationError(
        file: "environment", line: nil, key: name, message: "\"\(ProviderError.sanitizedExcerpt(text, limit: 20))\" is not valid")
    }
    return value
  }
}
