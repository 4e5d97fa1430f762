import MarketCore
import Synchronization

/// What a live-stream connection's writer handles next.
enum StreamItem: Sendable {
  case event(MarketEvent)
  /// Time to compare provider and cache state with what the client last saw, and perhaps
  /// send a heartbeat.
  case tick
}

/// One client's bounded queue between the core's events and the socket. When the client
/// reads slower than events arrive and the queue fills, the client is dropped (the queue ends
/// and says why) instead of the queue growing or the core waiting.
final class StreamQueue: Sendable {
  let items: AsyncStream<StreamItem>
  private let continuation: AsyncStream<StreamItem>.Continuation
  private let overflowed = Atomic<Bool>(false)

  init(limit: Int) {
    (items, continuation) = AsyncStream.makeStream(of: StreamItem.self, bufferingPolicy: .bufferingOldest(max(1, limit)))
  }

  /// Queues an item; false once the queue has ended (full, finished or its reader gone).
  @discardableResult
  func offer(_ item: StreamItem) -> Bool {
    switch continuation.yield(item) {
    case .enqueued: return true
    case .dropped:
      overflowed.store(true, ordering: .relaxed)
      continuation.finish()
      return false
    case .terminated: return false
    @unknown default: return false
    }
  }

  /// Ends the queue; the writer sends what is queued and closes (shutdown, or enough events).
  func finish() { continuation.finish() }

  /// Whether the queue ended because the client fell behind.
  var didOverflow: Bool { overflowed.load(ordering: .relaxed) }
}

/// Counts open streams against a maximum.
final class StreamLimiter: Sendable {
  let maximum: Int
  private let open = Atomic<Int>(0)

  init(maximum: Int) { self.maximum = maximum }

  /// A slot that frees itself when the last reference to it goes (the response body is done
  /// or was never written), or nil when every slot is taken.
  func acquire() -> Slot? {
    while true {
      let current = open.load(ordering: .relaxed)
      guard current < maximum else { return nil }
      if open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return Slot(self) }
    }
  }

  var openCount: Int { open.load(ordering: .relaxed) }

  fileprivate func release() { open.subtract(1, ordering: .relaxed) }

  final class Slot: Sendable {
    private let limiter: StreamLimiter
    fileprivate init(_ limiter: StreamLimiter) { self.limiter = limiter }
    deinit { limiter.release() }
  }
}
