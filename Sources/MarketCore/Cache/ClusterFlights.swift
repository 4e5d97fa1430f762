/// Single-flight across a fleet. ``SingleFlight`` collapses one instance's callers into one
/// flight per key; before that flight asks a provider it claims the key's lease here, so of
/// all the instances sharing a tier one asks upstream and the others wait for its value to
/// reach the shared tier. A holder that dies loses its lease when the lease expires, and a
/// waiter then claims the key and asks itself.
///
/// An implementation must answer promptly: when its store cannot be reached in its bound it
/// says ``FlightClaim/unavailable`` and the instance asks alone, as it would without a fleet.
public protocol ClusterFlights: Sendable {
  /// Claims each key for one upstream call (a refresh pass claims its whole batch at once).
  func claim(_ keys: [CacheKey]) async -> [CacheKey: FlightClaim]
  /// Ends claims this instance holds. Called once the values are in the shared tier (or the
  /// call failed), so a waiter woken by the release either finds its value there or claims.
  func release(_ keys: [CacheKey]) async
  /// Returns once `key`'s lease is released or has expired, or after `limit`.
  func waitForRelease(of key: CacheKey, upTo limit: Duration) async
}

extension ClusterFlights {
  func claim(_ key: CacheKey) async -> FlightClaim {
    await claim([key])[key] ?? .unavailable
  }
}

/// What a claim on a key's lease found.
public enum FlightClaim: Hashable, Sendable {
  /// This instance holds the lease: it asks upstream, then releases.
  case holding
  /// Another instance holds it for up to `remaining` more.
  case heldElsewhere(by: String, remaining: Duration)
  /// The lease store could not be asked in time: this instance asks alone.
  case unavailable
}
