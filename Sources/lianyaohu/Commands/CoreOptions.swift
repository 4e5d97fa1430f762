import ArgumentParser
import Foundation
import LianyaohuConfig
import MarketCore

/// Options every command that builds a core shares. Each overrides the environment and the
/// config file (see ``ConfigurationLoader``).
struct CoreOptions: ParsableArguments {
  @Option(help: "Config file (default: $XDG_CONFIG_HOME/lianyaohu/config.toml).")
  var config: String?

  @Option(help: "Seed of the embedded simulated market: the same seed gives the same prices.")
  var seed: UInt64?

  @Option(help: "Seconds between refreshes of every active watchlist symbol (default 1).")
  var refreshInterval: Double?

  func validate() throws {
    if let refreshInterval, !(refreshInterval.isFinite && refreshInterval >= 0.1 && refreshInterval <= 3600) {
      throw ValidationError("--refresh-interval must be between 0.1 and 3600 seconds")
    }
  }

  /// What these options say, for the loader to apply over the environment and the file.
  var flags: ConfigurationLoader.Flags {
    ConfigurationLoader.Flags(config: config, seed: seed, refreshInterval: refreshInterval)
  }

  /// The resolved configuration; a bad file or variable is printed as one line naming the
  /// file, line and key, and the process exits with status 78 (a configuration error).
  func loadConfiguration() throws -> AppConfiguration {
    do {
      return try ConfigurationLoader().load(flags: flags)
    } catch {
      FileHandle.standardError.write(Data("lianyaohu: configuration error: \(error)\n".utf8))
      throw ExitCode(78)
    }
  }

  /// The configuration for a one-shot command: no watchlists to refresh, and with `provider`
  /// given, only that configured provider (one of the simulated market's by default).
  func oneShotConfiguration(provider: String?) throws -> AppConfiguration {
    var configuration = try loadConfiguration()
    configuration.core.watchlists = [:]
    guard let provider else { return configuration }
    if configuration.providers.isEmpty {
      configuration.providers = SimulatedMarketSetup.defaultSettings
    }
    guard configuration.providers.contains(where: { $0.name == provider }) else {
      let known = configuration.providers.map(\.name).joined(separator: ", ")
      throw ValidationError("no provider named \(ProviderError.sanitizedExcerpt(provider, limit: 32)) (configured: \(known))")
    }
    configuration.providers = configuration.providers.filter { $0.name == provider }
    return configuration
  }
}

extension Symbol {
  /// A symbol from the command line: bad text is a usage error (exit status 64) that quotes
  /// the input only as a short printable excerpt.
  static func argument(_ text: String) throws -> Symbol {
    do { return try Symbol(validating: text) } catch {
      throw ValidationError("\(ProviderError.sanitizedExcerpt(text, limit: 30)): \(error)")
    }
  }
}
