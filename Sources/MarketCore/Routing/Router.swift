import Synchronization

/// Chooses which providers to ask for a request, and in what order: priority tiers first
/// (spilling to the next tier when a whole tier is unavailable); within a tier, smooth
/// weighted round-robin whose weights follow measured latency and errors, so a slow or
/// failing provider gets less traffic but never none until its breaker opens. Providers that
/// lack the data class's capability or cannot serve the symbol, whose breaker rejects, or whose
/// budget is spent are skipped, each with its reason. This is the one place a capability is
/// checked.
final class Router: Sendable {
  let runtimes: [ProviderRuntime]
  private let tiers: [[ProviderRuntime]]
  private let weights: AdaptiveWeights
  /// One rotation per tier, keyed by priority.
  private let rotations: Mutex<[Int: SmoothWeightedRoundRobin<ProviderID>]>

  init(runtimes: [ProviderRuntime], weights: AdaptiveWeights = AdaptiveWeights()) {
    self.runtimes = runtimes
    self.weights = weights
    let priorities = Set(runtimes.map(\.priority)).sorted()
    self.tiers = priorities.map { priority in runtimes.filter { $0.priority == priority } }
    self.rotations = Mutex([:])
  }

  /// The order to try providers in for `symbol`, among those `serves` accepts (the data
  /// class's capability), and those passed over.
  func plan(
    for symbol: Symbol, at now: MarketInstant, where serves: (any MarketDataProvider) -> Bool
  ) -> (candidates: [ProviderRuntime], skipped: [ProviderSkip]) {
    var candidates: [ProviderRuntime] = []
    var skipped: [ProviderSkip] = []
    for tier in tiers {
      var usable: [ProviderRuntime] = []
      for runtime in tier {
        if !serves(runtime.provider) || !runtime.provider.canServe(symbol) {
          skipped.append(ProviderSkip(provider: runtime.id, reason: .cannotServe))
        } else if let reason = runtime.unavailability(at: now) {
          skipped.append(ProviderSkip(provider: runtime.id, reason: reason))
        } else {
          usable.append(runtime)
        }
      }
      candidates += order(usable, at: now)
    }
    return (candidates, skipped)
  }

  /// A tier's usable providers, the round-robin's pick first.
  private func order(_ tier: [ProviderRuntime], at now: MarketInstant) -> [ProviderRuntime] {
    guard tier.count > 1, let priority = tier.first?.priority else { return tier }
    let effective = Dictionary(uniqueKeysWithValues: tier.map { ($0.id, $0.effectiveWeight(weights, at: now)) })
    let order = rotations.withLock { rotations in
      var rotation = rotations[priority] ?? SmoothWeightedRoundRobin()
      defer { rotations[priority] = rotation }
      return rotation.order(tier.map(\.id)) { effective[$0] ?? 0 }
    }
    let byID = Dictionary(uniqueKeysWithValues: tier.map { ($0.id, $0) })
    return order.compactMap { byID[$0] }
  }

  func runtime(for id: ProviderID) -> ProviderRuntime? { runtimes.first { $0.id == id } }
}
