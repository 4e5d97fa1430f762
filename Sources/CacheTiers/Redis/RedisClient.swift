import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Our Redis client: a pool of pipelined connections kept up by ``run()``, commands that
/// never wait longer than their timeout, and subscriptions that survive reconnects.
///
/// While no connection is up, commands fail at once with ``RedisError/unavailable(reason:)``
/// instead of queueing: the cache tier above treats Redis as optional, and a quote must not
/// wait for a server that is away.
public final class RedisClient: Sendable, Service {
  public let configuration: RedisConfiguration
  private let eventLoopGroup: any EventLoopGroup
  private let logger: Logger
  private let commandTimeout: TimeAmount
  private let poolSize: Int
  private let counters = RedisCounters()
  private let state: Mutex<State>
  /// `subscribe(_:)` calls for `run()` to serve, buffered until it starts.
  private let subscriptionRequests: AsyncStream<RedisSubscription>
  private let subscriptionRequestsContinuation: AsyncStream<RedisSubscription>.Continuation

  /// Messages a subscriber may fall behind by before the oldest are dropped.
  static let subscriberBufferSize = 4096
  /// Commands refused by `send`: their replies arrive as pushes or they change one pooled
  /// connection's state (database, user, protocol), which the others would not share.
  private static let refusedCommands: Set<String> = [
    "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR", "SELECT",
    "AUTH", "HELLO", "RESET", "QUIT", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
  ]

  private struct State {
    enum Lifecycle { case idle, running, stopped }

    var lifecycle = Lifecycle.idle
    var slots: [RedisConnection?]
    var live: [RedisConnection] = []
    var nextConnection = 0
    var lastFailure: RedisError?
    var downSince: ContinuousClock.Instant?
    var subscriptions: [ObjectIdentifier: RedisSubscription] = [:]
  }

  /// `logger` defaults to one from the process's `LoggingSystem`; passwords are never logged.
  public init(
    configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    logger: Logger = Logger(label: "lianyaohu.redis")
  ) {
    self.configuration = configuration
    self.eventLoopGroup = eventLoopGroup
    var logger = logger
    logger[metadataKey: "redis"] = "\(configuration.host):\(configuration.port)/\(configuration.database)"
    self.logger = logger
    commandTimeout = TimeAmount(configuration.commandTimeout)
    poolSize = max(1, configuration.poolSize)
    state = Mutex(State(slots: Array(repeating: nil, count: max(1, configuration.poolSize))))
    (subscriptionRequests, subscriptionRequestsContinuation) = AsyncStream.makeStream()
  }

  // MARK: Service

  /// Keeps the pool (and every subscription) connected, reconnecting with backoff, until the
  /// task is cancelled or a graceful shutdown starts; then closes everything and returns.
  /// A client runs once.
  public func run() async throws {
    let starts = state.withLock { state in
      guard state.lifecycle == .idle else { return false }
      state.lifecycle = .running
      return true
    }
    guard starts else { throw RedisError.unavailable(reason: "this RedisClient has already run; make a new one") }
    logger.debug("Redis client starting", metadata: ["pool": "\(poolSize)"])
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        for slot in 0..<self.poolSize {
          group.addTask { await self.maintainConnection(slot: slot) }
        }
        for await subscription in self.subscriptionRequests {
          group.addTask { await self.maintain(subscription) }
        }
      }
    }
    stop()
    logger.debug("Redis client stopped")
  }

  private func stop() {
    let (connections, subscriptions) = state.withLock { state in
      state.lifecycle = .stopped
      let connections = state.slots.compactMap { $0 }
      state.slots = state.slots.map { _ in nil }
      state.live = []
      let subscriptions = Array(state.subscriptions.values)
      state.subscriptions = [:]
      return (connections, subscriptions)
    }
    for connection in connections { connection.close() }
    for subscription in subscriptions {
      subscription.cancel()
      subscription.finish()
    }
    subscriptionRequestsContinuation.finish()
  }

  // MARK: Health

  public var health: RedisHealth {
    state.withLock { state in
      guard state.lifecycle == .running else { return .notRunning }
      if let connection = state.live.first { return .connected(protocolVersion: connection.protocolVersion) }
      guard let failure = state.lastFailure else { return .connecting }
      return .down(reason: Self.reason(failure), since: state.downSince ?? .now)
    }
  }

  public var statistics: RedisClientStatistics {
    counters.snapshot(openConnections: state.withLock { $0.live.count })
  }

  private static func reason(_ error: RedisError) -> String {
    if case .unavailable(let reason) = error { reason } else { error.description }
  }

  // MARK: Commands

  /// Sends one command on a pooled connection. Error replies throw
  /// ``RedisError/serverError(_:)``. Pub/sub, transactions and commands that change a
  /// connection's state (`SELECT`, `AUTH`) are refused: use ``subscribe(_:)`` and the
  /// configuration instead.
  public func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
    try validate(command)
    return try await execute(command)
  }

  /// Sends one command given as its words, name first (`["SET", "key", "value"]`).
  public func send(_ words: [String]) async throws(RedisError) -> RESPValue {
    try await send(RedisCommand(words: words))
  }

  /// Sends the commands on one connection in one write and one flush; their replies in
  /// order, an error reply as that command's failure. The whole pipeline has one command
  /// timeout; failing to get every reply in time throws.
  public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [Result<RESPValue, RedisError>] {
    guard !commands.isEmpty else { return [] }
    for command in commands { try validate(command) }
    let connection = try connectionForCommands()
    counters.commandsSent.add(commands.count, ordering: .relaxed)
    let replies: [RESPValue]
    do {
      replies = try await connection.pipeline(commands, timeout: commandTimeout).redisValue()
    } catch {
      throw record(error)
    }
    return replies.map { reply in
      if let message = reply.errorMessage { .failure(.serverError(message)) } else { .success(reply) }
    }
  }

  /// Sends commands given as their words; see ``pipeline(_:)-(RedisCommand)``.
  public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [Result<RESPValue, RedisError>] {
    try await pipeline(commands.map { RedisCommand(words: $0) })
  }

  /// Sends an already validated command; error replies throw.
  func execute(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
    let connection = try connectionForCommands()
    counters.commandsSent.add(1, ordering: .relaxed)
    let reply: RESPValue
    do {
      reply = try await connection.send(command, timeout: commandTimeout).redisValue()
    } catch {
      throw record(error)
    }
    if let message = reply.errorMessage { throw record(.serverError(message)) }
    return reply
  }

  private func validate(_ command: RedisCommand) throws(RedisError) {
    guard !command.name.isEmpty else { throw record(.invalidCommand("empty command")) }
    if command.name.utf8.count <= 12, Self.refusedCommands.contains(command.canonicalName) {
      throw record(.invalidCommand("\(command.canonicalName) is not sent through send(_:); see RedisClient"))
    }
  }

  private func record(_ error: RedisError) -> RedisError {
    counters.failures.add(1, ordering: .relaxed)
    if error == .timeout { counters.timeouts.add(1, ordering: .relaxed) }
    return error
  }

  /// The next live connection, round robin; or why there is none, at once.
  private func connectionForCommands() throws(RedisError) -> RedisConnection {
    let picked: Result<RedisConnection, RedisError> = state.withLock { state in
      guard !state.live.isEmpty else {
        switch (state.lifecycle, state.lastFailure) {
        case (.idle, _): return .failure(.unavailable(reason: "the Redis client is not running"))
        case (.stopped, _): return .failure(.unavailable(reason: "the Redis client has stopped"))
        case (.running, .authenticationFailed(let message)?): return .failure(.authenticationFailed(message))
        case (.running, let failure?): return .failure(.unavailable(reason: Self.reason(failure)))
        case (.running, nil): return .failure(.unavailable(reason: "connecting"))
        }
      }
      state.nextConnection = (state.nextConnection + 1) % state.live.count
      return .success(state.live[state.nextConnection])
    }
    switch picked {
    case .success(let connection): return connection
    case .failure(let error): throw record(error)
    }
  }

  // MARK: Pub/sub

  /// Messages on these channels, on a dedicated connection that subscribes again after every
  /// reconnect. Messages published while it reconnects are lost (pub/sub keeps none). The
  /// stream ends when the client stops; ending the iteration unsubscribes.
  public func subscribe(_ channels: [String]) -> AsyncStream<RedisMessage> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: RedisMessage.self, bufferingPolicy: .bufferingNewest(Self.subscriberBufferSize))
    let subscription = RedisSubscription(channels: channels, continuation: continuation, counters: counters)
    continuation.onTermination = { _ in subscription.cancel() }
    let accepted = state.withLock { state in
      guard state.lifecycle != .stopped, !channels.isEmpty else { return false }
      state.subscriptions[ObjectIdentifier(subscription)] = subscription
      return true
    }
    if accepted {
      subscriptionRequestsContinuation.yield(subscription)
    } else {
      continuation.finish()
    }
    return stream
  }

  // MARK: Connections

  /// One pool slot: connect, serve until the connection drops, wait, again.
  private func maintainConnection(slot: Int) async {
    var attempt = 0
    var hasConnected = false
    while !Task.isCancelled {
      do throws(RedisError) {
        let connection = try await RedisConnection.connect(
          configuration: configuration, eventLoop: eventLoopGroup.next(), role: .commands, logger: logger)
        if hasConnected || attempt > 0 { counters.reconnects.add(1, ordering: .relaxed) }
        hasConnected = true
        attempt = 0
        guard register(connection, slot: slot) else {
          connection.close()
          break
        }
        let reason = await connection.waitUntilClosed()
        unregister(slot: slot, because: reason)
      } catch {
        recordConnectFailure(error, attempt: attempt)
        attempt += 1
      }
      guard !Task.isCancelled else { break }
      try? await Task.sleep(for: configuration.reconnectBackoff.delay(beforeAttempt: attempt))
    }
  }

  private func register(_ connection: RedisConnection, slot: Int) -> Bool {
    let registered = state.withLock { state in
      guard state.lifecycle == .running else { return false }
      let wasDown = state.live.isEmpty
      state.slots[slot] = connection
      state.live = state.slots.compactMap { $0 }
      state.lastFailure = nil
      state.downSince = nil
      if wasDown {
        logger.info("Redis connected", metadata: ["protocol": "RESP\(connection.protocolVersion)"])
      }
      return true
    }
    return registered
  }

  private func unregister(slot: Int, because reason: RedisError) {
    state.withLock { state in
      state.slots[slot] = nil
      state.live = state.slots.compactMap { $0 }
      guard state.lifecycle == .running else { return }
      state.lastFailure = .unavailable(reason: "connection lost: \(Self.reason(reason))")
      if state.live.isEmpty, state.downSince == nil { state.downSince = .now }
    }
    if !Task.isCancelled {
      logger.warning("Redis connection lost", metadata: ["reason": "\(Self.reason(reason))"])
    }
  }

  private func recordConnectFailure(_ error: RedisError, attempt: Int) {
    state.withLock { state in
      state.lastFailure = error
      if state.live.isEmpty, state.downSince == nil { state.downSince = .now }
    }
    // The first failure of a run of them is news; the rest would fill the log while Redis is away.
    let level: Logger.Level = attempt == 0 ? .warning : .debug
    logger.log(level: level, "Redis connection failed", metadata: ["reason": "\(Self.reason(error))"])
  }

  /// One subscription: connect, subscribe, deliver until the connection drops, again.
  private func maintain(_ subscription: RedisSubscription) async {
    var attempt = 0
    var hasConnected = false
    while !Task.isCancelled, !subscription.isCancelled {
      do throws(RedisError) {
        let connection = try await RedisConnection.connect(
          configuration: configuration, eventLoop: eventLoopGroup.next(),
          role: .subscriber(onPush: { subscription.deliver($0) }), logger: logger)
        if hasConnected || attempt > 0 { counters.reconnects.add(1, ordering: .relaxed) }
        hasConnected = true
        attempt = 0
        guard subscription.attach(connection) else {
          connection.close()
          break
        }
        connection.sendWithoutReply(RedisCommand("SUBSCRIBE", subscription.channels))
        let reason = await keepAlive(connection)
        subscription.detach()
        if !Task.isCancelled, !subscription.isCancelled {
          logger.warning("Redis subscriber connection lost", metadata: ["reason": "\(Self.reason(reason))"])
        }
      } catch {
        attempt += 1
        logger.debug("Redis subscriber connection failed", metadata: ["reason": "\(Self.reason(error))"])
      }
      guard !Task.isCancelled, !subscription.isCancelled else { break }
      try? await Task.sleep(for: configuration.reconnectBackoff.delay(beforeAttempt: attempt))
    }
    subscription.finish()
    _ = state.withLock { $0.subscriptions.removeValue(forKey: ObjectIdentifier(subscription)) }
  }

  /// Waits for a subscriber connection to close, pinging it meanwhile: a subscriber only
  /// receives, so without a ping a server that vanished without closing would go unnoticed.
  private func keepAlive(_ connection: RedisConnection) async -> RedisError {
    await withTaskGroup(of: RedisError?.self) { group in
      group.addTask { await connection.waitUntilClosed() }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: self.configuration.keepAliveInterval)
          guard !Task.isCancelled else { break }
          let ping = connection.send(RedisCommand("PING"), timeout: self.commandTimeout)
          do throws(RedisError) {
            _ = try await ping.redisValue()
          } catch {
            connection.close()
            break
          }
        }
        return nil
      }
      var reason = RedisError.unavailable(reason: "connection closed")
      while let finished = await group.next() {
        if let finished {
          reason = finished
          group.cancelAll()
        }
      }
      return reason
    }
  }
}
