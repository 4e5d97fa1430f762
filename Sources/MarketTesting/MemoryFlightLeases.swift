import MarketCore
import Synchronization

/// Leases on upstream calls held in memory, for tests of the core's fleet single-flight:
/// cores given views of the same instance (``instance(_:)``) behave like instances sharing
/// one Redis. Leases never expire by themselves: a test ends a dead holder's lease with
/// ``expire(_:)``, and can take the store "down" so every claim is unavailable.
public final class MemoryFlightLeases: Sendable {
  private struct State {
    var holders: [CacheKey: String] = [:]
    var waiters: [CacheKey: [CheckedContinuation<Void, Never>]] = [:]
    var isDown = false
    var claims = 0
  }

  private let state = Mutex(State())
  /// What a claim held elsewhere reports as the lease's remaining time.
  public let lease: Duration

  public init(lease: Duration = .seconds(5)) {
    self.lease = lease
  }

  /// The leases as one instance sees them.
  public func instance(_ id: String) -> some ClusterFlights { View(store: self, instance: id) }

  /// Who holds `key` now.
  public func holder(of key: CacheKey) -> String? { state.withLock { $0.holders[key] } }

  /// Waits under way now.
  public var waiterCount: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

  /// Claims made so far, one per key.
  public var claimCount: Int { state.withLock { $0.claims } }

  /// Ends `key`'s lease as its expiry would, waking its waiters: the holder died.
  public func expire(_ key: CacheKey) {
    let woken = state.withLock { state in
      state.holders[key] = nil
      return state.waiters.removeValue(forKey: key) ?? []
    }
    for waiter in woken { waiter.resume() }
  }

  /// While down, every claim is unavailable, as with a dead Redis.
  public func setDown(_ down: Bool) { state.withLock { $0.isDown = down } }

  private struct View: ClusterFlights {
    let store: MemoryFlightLeases
    let instance: String

    func claim(_ keys: [CacheKey]) async -> [CacheKey: FlightClaim] {
      store.state.withLock { state in
        var claims: [CacheKey: FlightClaim] = [:]
        for key in keys {
          if state.isDown {
            claims[key] = .unavailable
            continue
          }
          state.claims += 1
          if let holder = state.holders[key], holder != instance {
            claims[key] = .heldElsewhere(by: holder, remaining: store.lease)
          } else {
            state.holders[key] = instance
            claims[key] = .holding
          }
        }
        return claims
      }
    }

    func release(_ keys: [CacheKey]) async {
      let woken = store.state.withLock { state in
        var woken: [CheckedContinuation<Void, Never>] = []
        for key in keys where state.holders[key] == instance {
          state.holders[key] = nil
          woken += state.waiters.removeValue(forKey: key) ?? []
        }
        return woken
      }
      for waiter in woken { waiter.resume() }
    }

    func waitForRelease(of key: CacheKey, upTo limit: Duration) async {
      await withCheckedContinuation { continuation in
        let free = store.state.withLock { state in
          guard state.holders[key] != nil else { return true }
          state.waiters[key, default: []].append(continuation)
          return false
        }
        if free { continuation.resume() }
      }
    }
  }
}
