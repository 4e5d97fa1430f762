/// The embedded default: one simulated market behind three simulated providers that behave
/// like real ones on an ordinary day, one of them with a scheduled outage so breakers and
/// stale marking can be watched without any network.
public enum SimulatedMarketSetup {
  public static let alpha = ProviderID("sim-alpha")
  public static let beta = ProviderID("sim-beta")
  public static let gamma = ProviderID("sim-gamma")

  /// A breaker sized for the simulated providers' call rate (about one batch a second each),
  /// so an outage opens it within seconds and recovery closes it soon after.
  public static var breaker: CircuitBreakerConfiguration {
    var breaker = CircuitBreakerConfiguration()
    breaker.slidingWindow = .countBased(size: 10)
    breaker.minimumNumberOfCalls = 5
    breaker.waitDurationInOpen = .seconds(10)
    breaker.maximumWaitDurationInOpen = .seconds(30)
    return breaker
  }

  public static func providers(market: SimulatedMarket, clock: any MarketClock) -> [ProviderRegistration] {
    [
      ProviderRegistration(
        SimulatedProvider(
          id: alpha, market: market, clock: clock,
          behaviour: SimulatedBehaviour(
            latency: .init(median: .milliseconds(30), p99: .milliseconds(200)), errorRate: 0.01)),
        priority: 1, breaker: breaker),
      ProviderRegistration(
        SimulatedProvider(
          id: beta, market: market, clock: clock,
          behaviour: SimulatedBehaviour(
            latency: .init(median: .milliseconds(50), p99: .milliseconds(400)), errorRate: 0.02, garbageRate: 0.01,
            // Down for 30 s of every 2 minutes, first at 45 s: long enough to open its breaker.
            outages: [.init(period: .seconds(120), downtime: .seconds(30), phase: .seconds(45))])),
        priority: 1, breaker: breaker),
      ProviderRegistration(
        SimulatedProvider(
          id: gamma, market: market, clock: clock,
          behaviour: SimulatedBehaviour(
            latency: .init(median: .milliseconds(80), p99: .milliseconds(600)), errorRate: 0.02, timeoutRate: 0.005)),
        priority: 2, breaker: breaker),
    ]
  }
}
