import Synchronization

/// One configured provider inside the core: the adapter plus what the core tracks about it.
/// Every upstream call goes through ``fetch(_:)`` so metrics and events are never skipped.
public final class ProviderRuntime: Sendable {
  public let provider: any QuoteProvider
  public let priority: Int
  public let weight: Double
  let metrics: CoreMetrics.Provider
  private let coreMetrics: CoreMetrics
  private let counters = Mutex(Counters())

  struct Counters {
    /// Until the breaker lands: the operator's override, the only state a provider has.
    var breakerState = BreakerState.closed
    /// An operator's off switch: a disabled provider is never asked, whatever its breaker says.
    var isEnabled = true
    var lastTransitionReason: String?
    var requests = 0
    var errors = 0
    var lastError: ProviderError?
    var consecutiveFailures = 0
  }

  init(_ registration: ProviderRegistration, metrics: CoreMetrics) {
    self.provider = registration.provider
    self.priority = registration.priority
    self.weight = registration.weight
    self.coreMetrics = metrics
    self.metrics = metrics.provider(registration.provider.id)
  }

  public var id: ProviderID { provider.id }

  /// Asks the provider for up to one batch of symbols. A whole-call failure becomes a
  /// failure for every symbol, so callers handle one shape.
  func fetch(_ symbols: [Symbol], clock: any MarketClock) async -> [Symbol: Result<Quote, ProviderError>] {
    let start = clock.now()
    metrics.requests.increment()
    coreMetrics.upstreamCallStarted()
    defer { coreMetrics.upstreamCallEnded() }
    var results: [Symbol: Result<Quote, ProviderError>]
    var callError: ProviderError?
    do {
      if symbols.count == 1, let symbol = symbols.first {
        results = [symbol: .success(try await provider.quote(for: symbol))]
      } else {
        results = try await provider.quotes(for: symbols)
      }
    } catch {
      let failure = ProviderError.from(error)
      callError = failure
      results = Dictionary(uniqueKeysWithValues: symbols.map { ($0, .failure(failure)) })
    }
    metrics.latency.recordNanoseconds(max(0, (clock.now() - start).nanoseconds))
    let faulted = callError.map(\.isProviderFault) ?? false
    counters.withLock { counters in
      counters.requests += 1
      if let callError {
        counters.errors += 1
        counters.lastError = callError
        if faulted { counters.consecutiveFailures += 1 }
      } else {
        counters.consecutiveFailures = 0
      }
    }
    if let callError { metrics.recordError(callError) }
    return results
  }

  /// Whether the router may ask this provider now, and if not, why.
  func admission(at now: MarketInstant) -> ProviderSkip.Reason? {
    let (isEnabled, state) = counters.withLock { ($0.isEnabled, $0.breakerState) }
    if !isEnabled { return .disabled }
    switch state {
    case .forcedOpen: return .forcedOpen
    case .open: return .circuitOpen(retryIn: nil)
    case .closed, .halfOpen, .disabled, .metricsOnly: return nil
    }
  }

  func trip(at now: MarketInstant) {
    counters.withLock {
      $0.breakerState = .forcedOpen
      $0.lastTransitionReason = "tripped by operator"
    }
  }

  func reset(at now: MarketInstant) {
    counters.withLock {
      $0.breakerState = .closed
      $0.lastTransitionReason = "reset by operator"
      $0.consecutiveFailures = 0
    }
  }

  func setEnabled(_ enabled: Bool, at now: MarketInstant) {
    counters.withLock {
      $0.isEnabled = enabled
      $0.lastTransitionReason = enabled ? "enabled by operator" : "disabled by operator"
    }
  }

  func status(at now: MarketInstant) -> ProviderStatus {
    counters.withLock { counters in
      var status = ProviderStatus(id: id, priority: priority, isSimulated: provider is SimulatedProvider)
      status.isEnabled = counters.isEnabled
      status.breaker.state = counters.breakerState
      status.breaker.lastTransitionReason = counters.lastTransitionReason
      status.health.totalRequests = counters.requests
      status.health.consecutiveFailures = counters.consecutiveFailures
      status.health.errorRate = counters.requests == 0 ? nil : Double(counters.errors) / Double(counters.requests)
      status.health.lastError = counters.lastError?.description
      return status
    }
  }

  public var requestCount: Int { counters.withLock { $0.requests } }
  public var errorCount: Int { counters.withLock { $0.errors } }
  public var lastError: ProviderError? { counters.withLock { $0.lastError } }
  public var consecutiveFailures: Int { counters.withLock { $0.consecutiveFailures } }
}
