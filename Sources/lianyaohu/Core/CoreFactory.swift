import MarketCore

/// Builds the core the way every command and test needs it: one function, so `main` and the
/// tests construct the same thing.
func makeCore(options: CoreOptions, clock: any MarketClock = SystemClock()) -> DataAbstractionLayer {
  var configuration = CoreConfiguration()
  configuration.refreshInterval = .milliseconds(Int64(options.refreshInterval * 1000))
  let market = SimulatedMarket(seed: options.seed)
  return DataAbstractionLayer(
    providers: SimulatedMarketSetup.providers(market: market, clock: clock), configuration: configuration, clock: clock)
}
