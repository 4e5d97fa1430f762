import MarketCore

/// Builds the core the way every command and test needs it: one function, so `main` and the
/// tests construct the same thing.
func makeCore(configuration: AppConfiguration, clock: any MarketClock = SystemClock()) -> DataAbstractionLayer {
  let market = SimulatedMarket(seed: configuration.seed)
  let providers: [ProviderRegistration]
  if configuration.providers.isEmpty {
    providers = SimulatedMarketSetup.providers(market: market, clock: clock)
  } else {
    providers = configuration.providers.map { settings in
      switch settings.kind {
      case .simulated:
        ProviderRegistration(
          SimulatedProvider(id: ProviderID(settings.name), market: market, clock: clock, behaviour: settings.simulated),
          priority: settings.priority, weight: settings.weight)
      }
    }
  }
  return DataAbstractionLayer(providers: providers, configuration: configuration.core, clock: clock)
}
