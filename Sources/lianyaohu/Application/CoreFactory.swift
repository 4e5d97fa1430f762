import LianyaohuConfig
import MarketCore
import MarketProviders

/// Builds the core the way every command and test needs it: one function, so `main` and the
/// tests construct the same thing. With a `budget` (Redis), each provider's
/// `requests_per_minute` and `daily_quota` count for the whole fleet; with `flights`, the fleet
/// asks upstream once per key.
func makeCore(
  configuration: AppConfiguration, clock: any MarketClock = SystemClock(), tiers: [any CacheTier] = [],
  budget: (any ClusterBudget)? = nil, flights: (any ClusterFlights)? = nil
) -> MarketDataCore {
  let market = SimulatedMarket(seed: configuration.seed)
  let providers: [ProviderRegistration]
  if configuration.providers.isEmpty {
    providers = SimulatedMarketSetup.providers(market: market, clock: clock)
  } else {
    let transport = configuration.providers.contains { $0.kind != .simulated } ? HTTPTransport() : nil
    providers = configuration.providers.map { settings in
      ProviderRegistration(
        makeProvider(settings, market: market, transport: transport, clock: clock), priority: settings.priority,
        weight: settings.weight, breaker: settings.breaker, limits: settings.limits)
    }
  }
  return MarketDataCore(
    providers: providers, configuration: configuration.core, clock: clock, tiers: tiers, budget: budget,
    flights: flights)
}

/// One configured provider: the simulated market, or an adapter over the shared transport.
private func makeProvider(
  _ settings: ProviderSettings, market: SimulatedMarket, transport: HTTPTransport?, clock: any MarketClock
) -> any QuoteProvider {
  let id = ProviderID(settings.name)
  guard let transport, settings.kind != .simulated else {
    return SimulatedProvider(id: id, market: market, clock: clock, behaviour: settings.simulated)
  }
  let key = Secret(settings.apiKey?.value ?? "")
  func http(_ adapter: some HTTPQuoteAdapter) -> any QuoteProvider {
    HTTPQuoteProvider(adapter: adapter, transport: transport, timeout: settings.timeout, clock: clock)
  }
  switch settings.kind {
  case .simulated:
    return SimulatedProvider(id: id, market: market, clock: clock, behaviour: settings.simulated)
  case .openbb:
    let credentials = settings.username.map {
      OpenBBAdapter.BasicCredentials(username: $0, password: Secret(settings.password?.value ?? ""))
    }
    return http(
      OpenBBAdapter(
        id: id, origin: settings.baseURL ?? "http://127.0.0.1:6900", backend: settings.backend ?? "fmp",
        credentials: credentials))
  case .yahoo:
    let session = settings.crumb.flatMap { crumb in
      settings.cookie.map { YahooFinanceAdapter.Session(crumb: Secret(crumb.value), cookie: Secret($0.value)) }
    }
    return http(
      YahooFinanceAdapter(
        id: id, session: session, chartOrigin: settings.baseURL ?? "https://query2.finance.yahoo.com",
        quoteOrigin: settings.baseURL ?? "https://query1.finance.yahoo.com"))
  case .alphaVantage:
    return http(AlphaVantageAdapter(id: id, apiKey: key, origin: settings.baseURL ?? "https://www.alphavantage.co"))
  case .finnhub:
    return http(FinnhubAdapter(id: id, token: key, origin: settings.baseURL ?? "https://finnhub.io"))
  case .fmp:
    return http(
      FinancialModelingPrepAdapter(id: id, apiKey: key, origin: settings.baseURL ?? "https://financialmodelingprep.com"))
  case .polygon:
    return http(PolygonAdapter(id: id, apiKey: key, origin: settings.baseURL ?? "https://api.polygon.io"))
  case .stooq:
    let stooqKey = settings.apiKey.map { Secret($0.value) }
    return http(StooqAdapter(id: id, apiKey: stooqKey, origin: settings.baseURL ?? "https://stooq.com"))
  case .cboe:
    return http(CboeAdapter(id: id, origin: settings.baseURL ?? "https://cdn.cboe.com"))
  case .tmx:
    return http(TMXAdapter(id: id, origin: settings.baseURL ?? "https://app-money.tmx.com"))
  }
}
