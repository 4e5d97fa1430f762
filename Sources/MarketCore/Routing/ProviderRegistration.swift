/// One provider as configured: the adapter and where it stands in the routing order.
public struct ProviderRegistration: Sendable {
  public var provider: any MarketDataProvider
  /// 1 is asked first; higher numbers are fallbacks.
  public var priority: Int
  /// Relative share of traffic among providers of the same priority.
  public var weight: Double
  public var breaker: CircuitBreakerConfiguration
  public var limits: ProviderLimitsConfiguration
  public var health: HealthTracker.Configuration

  public init(
    _ provider: any MarketDataProvider, priority: Int = 1, weight: Double = 1,
    breaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
    limits: ProviderLimitsConfiguration = ProviderLimitsConfiguration(),
    health: HealthTracker.Configuration = HealthTracker.Configuration()
  ) {
    self.provider = provider
    self.priority = priority
    self.weight = weight
    self.breaker = breaker
    self.limits = limits
    self.health = health
  }
}
