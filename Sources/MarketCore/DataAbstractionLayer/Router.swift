import Synchronization

/// Chooses which providers to ask for a symbol, and in what order: priority tiers first,
/// rotating among providers of equal priority so load spreads, skipping any that cannot
/// serve the symbol (with the reason, for the "no provider available" error).
public final class Router: Sendable {
  public let runtimes: [ProviderRuntime]
  private let tiers: [[ProviderRuntime]]
  private let rotation = Atomic<Int>(0)

  init(runtimes: [ProviderRuntime]) {
    self.runtimes = runtimes
    let priorities = Set(runtimes.map(\.priority)).sorted()
    self.tiers = priorities.map { priority in runtimes.filter { $0.priority == priority } }
  }

  /// The order to try providers in for `symbol`, and those passed over.
  public func plan(for symbol: Symbol, at now: MarketInstant) -> (candidates: [ProviderRuntime], skipped: [ProviderSkip]) {
    let turn = rotation.add(1, ordering: .relaxed).oldValue
    var candidates: [ProviderRuntime] = []
    var skipped: [ProviderSkip] = []
    for tier in tiers {
      for offset in 0..<tier.count {
        let runtime = tier[(turn + offset) % tier.count]
        if !runtime.provider.canServe(symbol) {
          skipped.append(ProviderSkip(provider: runtime.id, reason: .cannotServe))
        } else if let reason = runtime.admission(at: now) {
          skipped.append(ProviderSkip(provider: runtime.id, reason: reason))
        } else {
          candidates.append(runtime)
        }
      }
    }
    return (candidates, skipped)
  }

  public func runtime(for id: ProviderID) -> ProviderRuntime? { runtimes.first { $0.id == id } }
}
