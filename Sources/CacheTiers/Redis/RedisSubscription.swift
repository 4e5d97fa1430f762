import Synchronization

/// One `subscribe(_:)` call: its channels, the stream its messages go to, and the connection
/// currently carrying it (replaced after every reconnect).
final class RedisSubscription: Sendable {
  let channels: [String]
  private let continuation: AsyncStream<RedisMessage>.Continuation
  private let counters: RedisCounters
  private let state = Mutex<(isCancelled: Bool, connection: RedisConnection?)>((false, nil))

  init(channels: [String], continuation: AsyncStream<RedisMessage>.Continuation, counters: RedisCounters) {
    self.channels = channels
    self.continuation = continuation
    self.counters = counters
  }

  /// Whether the subscriber stopped listening.
  var isCancelled: Bool { state.withLock { $0.isCancelled } }

  /// Takes a message push (`message`, channel, payload) to the stream; confirmations and
  /// other pushes are not messages.
  func deliver(_ push: RESPValue) {
    guard let elements = push.elements, elements.count == 3, elements[0].string?.lowercased() == "message",
      let channel = elements[1].string, let payload = elements[2].bytes
    else { return }
    switch continuation.yield(RedisMessage(channel: channel, payload: payload)) {
    case .enqueued: counters.messagesReceived.add(1, ordering: .relaxed)
    case .dropped: counters.messagesDropped.add(1, ordering: .relaxed)
    case .terminated: break
    @unknown default: break
    }
  }

  /// Makes `connection` the current one; false (and the caller closes it) once cancelled.
  func attach(_ connection: RedisConnection) -> Bool {
    state.withLock { state in
      guard !state.isCancelled else { return false }
      state.connection = connection
      return true
    }
  }

  func detach() {
    state.withLock { $0.connection = nil }
  }

  /// The subscriber stopped listening: close the connection, and reconnect no more.
  func cancel() {
    let connection = state.withLock { state in
      state.isCancelled = true
      return state.connection
    }
    connection?.close()
  }

  func finish() {
    continuation.finish()
  }
}
