import Foundation
import MarketCore
import Synchronization

/// A provider whose answers a test scripts, counting every upstream call and the batches
/// it was asked for. Calls can be held at a ``Gate`` so a test controls exactly when they end.
public final class ScriptedProvider: QuoteProvider {
  public typealias Responder = @Sendable ([Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>]

  public let id: ProviderID
  public let capabilities: ProviderCapabilities
  private let responder: Mutex<Responder>
  private let log = Mutex<[[Symbol]]>([])
  public let gate: Gate?

  public init(
    id: ProviderID, capabilities: ProviderCapabilities = ProviderCapabilities(maximumBatchSize: 1), gate: Gate? = nil,
    responder: @escaping Responder
  ) {
    self.id = id
    self.capabilities = capabilities
    self.gate = gate
    self.responder = Mutex(responder)
  }

  /// A provider that prices every symbol at `price`, stamped at `clock`'s now.
  public convenience init(
    id: ProviderID, price: Double = 100, clock: any MarketClock,
    capabilities: ProviderCapabilities = ProviderCapabilities(maximumBatchSize: 1), gate: Gate? = nil
  ) {
    self.init(id: id, capabilities: capabilities, gate: gate) { symbols in
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map {
          ($0, .success(Quote(symbol: $0, price: price, asOf: now, receivedAt: now, source: id, isSimulated: false)))
        })
    }
  }

  public func respond(with responder: @escaping Responder) {
    self.responder.withLock { $0 = responder }
  }

  /// Upstream calls so far (a batch counts once).
  public var callCount: Int { log.withLock { $0.count } }
  /// The symbols of every call, in order.
  public var calls: [[Symbol]] { log.withLock { $0 } }

  public func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>] {
    log.withLock { $0.append(symbols) }
    if let gate { try await gate.wait() }
    let responder = self.responder.withLock { $0 }
    return try await responder(symbols)
  }
}

/// Holds tasks until a test opens it; counts who is waiting, so a test can know that N
/// callers are parked before it lets them go. A waiting task that is cancelled stops waiting
/// with `CancellationError`, as a real network call would.
public final class Gate: Sendable {
  private struct State {
    var isOpen = false
    var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    var nextID = 0
    var cancelled: Set<Int> = []
  }

  private let state = Mutex(State())

  public init() {}

  public func wait() async throws {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let immediate: Result<Void, any Error>? = state.withLock { state in
          if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
          if state.isOpen { return .success(()) }
          state.waiters[id] = continuation
          return nil
        }
        if let immediate { continuation.resume(with: immediate) }
      }
    } onCancel: {
      let waiter = state.withLock { state in
        guard let waiter = state.waiters.removeValue(forKey: id) else {
          state.cancelled.insert(id)
          return nil as CheckedContinuation<Void, any Error>?
        }
        return waiter
      }
      waiter?.resume(throwing: CancellationError())
    }
  }

  public var waiterCount: Int { state.withLock { $0.waiters.count } }

  public func open() {
    let waiters = state.withLock { state in
      state.isOpen = true
      defer { state.waiters.removeAll() }
      return Array(state.waiters.values)
    }
    for waiter in waiters { waiter.resume() }
  }

  /// Waits until `count` tasks wait here.
  public func waitForWaiters(_ count: Int) async {
    await eventually { waiterCount >= count }
  }
}
