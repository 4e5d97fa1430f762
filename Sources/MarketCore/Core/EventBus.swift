import Synchronization

/// Fans core events out to any number of subscribers. A subscriber that falls behind loses
/// its oldest undelivered events rather than growing without bound, and it keeps a short
/// history so a new subscriber (the dashboard at start) sees what just happened.
public final class EventBus: Sendable {
  private struct State {
    var subscribers: [Int: AsyncStream<MarketEvent>.Continuation] = [:]
    var nextID = 0
    var history: [MarketEvent] = []
  }

  private let state = Mutex(State())
  public let historyLimit: Int

  public init(historyLimit: Int = 200) {
    self.historyLimit = historyLimit
  }

  public func publish(_ event: MarketEvent) {
    let subscribers = state.withLock { state in
      if case .quoteUpdated = event.kind {
      } else {
        state.history.append(event)
        if state.history.count > historyLimit { state.history.removeFirst(state.history.count - historyLimit) }
      }
      return Array(state.subscribers.values)
    }
    for subscriber in subscribers { subscriber.yield(event) }
  }

  /// A stream of events from now on, buffering at most `bufferSize` undelivered ones.
  public func subscribe(bufferSize: Int = 4096) -> AsyncStream<MarketEvent> {
    let (stream, continuation) = AsyncStream<MarketEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
    let id = state.withLock { state in
      let id = state.nextID
      state.nextID += 1
      state.subscribers[id] = continuation
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// Recent events other than quote updates, oldest first.
  public var recent: [MarketEvent] { state.withLock { $0.history } }

  public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

  /// Ends every subscriber's stream (at shutdown).
  public func finish() {
    let subscribers = state.withLock { state in
      defer { state.subscribers.removeAll() }
      return Array(state.subscribers.values)
    }
    for subscriber in subscribers { subscriber.finish() }
  }
}
