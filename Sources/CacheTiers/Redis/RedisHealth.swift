/// Whether the client can reach Redis, for the cache pane, `/v1/cache` and logs.
public enum RedisHealth: Sendable, Hashable, CustomStringConvertible {
  /// `run()` has not started, or has returned.
  case notRunning
  /// Running, no connection yet and no failure yet.
  case connecting
  /// At least one pooled connection is up, speaking this RESP version (2 or 3).
  case connected(protocolVersion: Int)
  /// No pooled connection is up: why the last one failed, and since when Redis is away.
  case down(reason: String, since: ContinuousClock.Instant)

  public var isConnected: Bool {
    if case .connected = self { true } else { false }
  }

  public var description: String {
    switch self {
    case .notRunning: "not running"
    case .connecting: "connecting"
    case .connected(let version): "connected (RESP\(version))"
    case .down(let reason, _): "down: \(reason)"
    }
  }
}
