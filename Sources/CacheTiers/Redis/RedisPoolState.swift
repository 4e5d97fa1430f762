/// A connection the pool can hand out: all it needs to know of one.
protocol RedisPoolMember: AnyObject, Sendable {
  /// The RESP version the connection speaks, for ``RedisHealth``.
  var protocolVersion: Int { get }
}

/// The pool's bookkeeping, sans I/O: which slots hold a live connection, which one takes the
/// next command, why there is none, and the health that adds up to.
///
/// ``RedisClient`` keeps it under a lock and feeds it what happened with the current
/// instant; tests drive it with made-up connections and instants.
struct RedisPoolState<Connection: RedisPoolMember> {
  enum Lifecycle: Sendable { case idle, running, stopped }

  private(set) var lifecycle = Lifecycle.idle
  private var slots: [Connection?]
  private var live: [Connection] = []
  private var nextConnection = 0
  /// Why the last connection attempt failed or the last connection was lost.
  private var lastFailure: RedisError?
  /// When the pool last went from some live connection (or none yet) to none.
  private var downSince: ContinuousClock.Instant?

  init(size: Int) {
    slots = Array(repeating: nil, count: max(1, size))
  }

  var size: Int { slots.count }
  var openConnections: Int { live.count }

  /// Moves from idle to running; false when the pool already ran.
  mutating func start() -> Bool {
    guard lifecycle == .idle else { return false }
    lifecycle = .running
    return true
  }

  /// Stops for good; the connections still held, for the caller to close.
  mutating func stop() -> [Connection] {
    lifecycle = .stopped
    let held = live
    slots = slots.map { _ in nil }
    live = []
    return held
  }

  /// A slot's connection is up. False (the caller closes it) once the pool has stopped.
  /// `wasDown` tells whether this ended a time with no live connection.
  mutating func connected(_ connection: Connection, slot: Int) -> (accepted: Bool, wasDown: Bool) {
    guard lifecycle == .running, slots.indices.contains(slot) else { return (false, false) }
    let wasDown = live.isEmpty
    slots[slot] = connection
    live = slots.compactMap { $0 }
    lastFailure = nil
    downSince = nil
    return (true, wasDown)
  }

  /// A slot's connection closed, for `reason`.
  mutating func lost(slot: Int, because reason: RedisError, at now: ContinuousClock.Instant) {
    guard slots.indices.contains(slot) else { return }
    slots[slot] = nil
    live = slots.compactMap { $0 }
    guard lifecycle == .running else { return }
    lastFailure = .unavailable(reason: "connection lost: \(Self.reason(reason))")
    if live.isEmpty, downSince == nil { downSince = now }
  }

  /// An attempt to connect failed.
  mutating func connectFailed(_ error: RedisError, at now: ContinuousClock.Instant) {
    lastFailure = error
    if live.isEmpty, downSince == nil { downSince = now }
  }

  /// The next live connection, round robin, or why there is none. Without a live
  /// connection a command fails now rather than wait for one.
  mutating func next() -> Result<Connection, RedisError> {
    guard !live.isEmpty else {
      switch (lifecycle, lastFailure) {
      case (.idle, _): return .failure(.unavailable(reason: "the Redis client is not running"))
      case (.stopped, _): return .failure(.unavailable(reason: "the Redis client has stopped"))
      case (.running, .authenticationFailed(let message)?): return .failure(.authenticationFailed(message))
      case (.running, let failure?): return .failure(.unavailable(reason: Self.reason(failure)))
      case (.running, nil): return .failure(.unavailable(reason: "connecting"))
      }
    }
    nextConnection = (nextConnection + 1) % live.count
    return .success(live[nextConnection])
  }

  func health(now: ContinuousClock.Instant) -> RedisHealth {
    guard lifecycle == .running else { return .notRunning }
    if let connection = live.first { return .connected(protocolVersion: connection.protocolVersion) }
    guard let lastFailure else { return .connecting }
    return .down(reason: Self.reason(lastFailure), since: downSince ?? now)
  }

  /// An error as a reason: its own words for `unavailable`, its description otherwise.
  static func reason(_ error: RedisError) -> String {
    if case .unavailable(let reason) = error { reason } else { error.description }
  }
}
