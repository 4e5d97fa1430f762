import Synchronization

/// Counters since the client was made, and the pool as it is now.
public struct RedisClientStatistics: Sendable, Hashable {
  /// Pooled connections up now (subscriber connections not included).
  public var openConnections: Int
  /// Commands handed to a connection (a pipeline counts each of its commands).
  public var commandsSent: Int
  /// Calls that threw, whatever the reason (timeouts and unavailability included).
  public var failures: Int
  /// Commands that got no reply in time.
  public var timeouts: Int
  /// Connections made again after a connection was lost or an attempt failed.
  public var reconnects: Int
  /// Pub/sub messages delivered to subscribers.
  public var messagesReceived: Int
  /// Pub/sub messages dropped because a subscriber fell too far behind.
  public var messagesDropped: Int

  public init(
    openConnections: Int = 0, commandsSent: Int = 0, failures: Int = 0, timeouts: Int = 0, reconnects: Int = 0,
    messagesReceived: Int = 0,
    messagesDropped: Int = 0
  ) {
    self.openConnections = openConnections
    self.commandsSent = commandsSent
    self.failures = failures
    self.timeouts = timeouts
    self.reconnects = reconnects
    self.messagesReceived = messagesReceived
    self.messagesDropped = messagesDropped
  }
}

/// The client's counters, shared with its subscriptions.
final class RedisCounters: Sendable {
  let commandsSent = Atomic<Int>(0)
  let failures = Atomic<Int>(0)
  let timeouts = Atomic<Int>(0)
  let reconnects = Atomic<Int>(0)
  let messagesReceived = Atomic<Int>(0)
  let messagesDropped = Atomic<Int>(0)

  func snapshot(openConnections: Int) -> RedisClientStatistics {
    RedisClientStatistics(
      openConnections: openConnections, commandsSent: commandsSent.load(ordering: .relaxed),
      failures: failures.load(ordering: .relaxed),
      timeouts: timeouts.load(ordering: .relaxed), reconnects: reconnects.load(ordering: .relaxed),
      messagesReceived: messagesReceived.load(ordering: .relaxed),
      messagesDropped: messagesDropped.load(ordering: .relaxed))
  }
}
