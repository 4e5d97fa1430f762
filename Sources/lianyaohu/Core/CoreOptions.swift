import ArgumentParser
import MarketCore

/// Options every command that builds a core shares.
struct CoreOptions: ParsableArguments {
  @Option(help: "Seed of the embedded simulated market: the same seed gives the same prices.")
  var seed: UInt64 = 8

  @Option(help: "Seconds between refreshes of every active watchlist symbol.")
  var refreshInterval: Double = 1

  func validate() throws {
    guard refreshInterval.isFinite, refreshInterval >= 0.1, refreshInterval <= 3600 else {
      throw ValidationError("--refresh-interval must be between 0.1 and 3600 seconds")
    }
  }
}
