import MCP
import MarketCore
import Synchronization

/// One session's `resources/subscribe` state: which resources it watches, one listener on the
/// core's event stream while it watches any, and the pacing of its notifications. Unsubscribing
/// the last resource, or closing the session, cancels the listener and every scheduled
/// notification, so the core's event subscriber count returns to what it was.
final class ResourceSubscriptions: Sendable {
  private struct State {
    /// Each watched resource and the URI as the client spelled it (notifications echo it).
    var watched: [ResourceAddress: String] = [:]
    var pacer: UpdatePacer<ResourceAddress>
    var listener: Task<Void, Never>?
    var trailing: [ResourceAddress: Task<Void, Never>] = [:]
    var isClosed = false
  }

  private let state: Mutex<State>
  private let core: MarketDataCore
  private let bufferSize: Int
  private let notify: @Sendable (String) async -> Void

  init(
    core: MarketDataCore, interval: Duration, bufferSize: Int, notify: @escaping @Sendable (String) async -> Void
  ) {
    self.core = core
    self.bufferSize = bufferSize
    self.notify = notify
    self.state = Mutex(State(pacer: UpdatePacer(interval: interval)))
  }

  /// What is watched now (for tests and status).
  var watchedURIs: [String] { state.withLock { Array($0.watched.values).sorted() } }

  func subscribe(_ uri: String) throws(MCPError) {
    let address = try ResourceAddress(uri: uri)
    // The core's stream is taken here, not in the task, so no update after this call is missed.
    let events: AsyncStream<MarketEvent>? = state.withLock { state in
      guard !state.isClosed else { return nil }
      state.watched[address] = uri
      return state.listener == nil ? core.updates(bufferSize: bufferSize) : nil
    }
    guard let events else { return }
    let listener = Task { [weak self] in
      for await event in events {
        guard let self else { return }
        await self.handle(event)
      }
    }
    let stale = state.withLock { state -> Task<Void, Never>? in
      if state.isClosed || state.watched.isEmpty { return listener }
      state.listener = listener
      return nil
    }
    stale?.cancel()
  }

  func unsubscribe(_ uri: String) throws(MCPError) {
    let address = try ResourceAddress(uri: uri)
    let cancelled = state.withLock { state -> [Task<Void, Never>] in
      state.watched[address] = nil
      state.pacer.forget(address)
      var tasks = [state.trailing.removeValue(forKey: address)].compactMap { $0 }
      if state.watched.isEmpty, let listener = state.listener {
        tasks.append(listener)
        state.listener = nil
      }
      return tasks
    }
    for task in cancelled { task.cancel() }
  }

  /// Releases everything; later subscriptions are ignored.
  func close() {
    let cancelled = state.withLock { state -> [Task<Void, Never>] in
      state.isClosed = true
      state.watched.removeAll()
      let tasks = Array(state.trailing.values) + [state.listener].compactMap { $0 }
      state.trailing.removeAll()
      state.listener = nil
      return tasks
    }
    for task in cancelled { task.cancel() }
  }

  private func handle(_ event: MarketEvent) async {
    let addresses: [ResourceAddress] =
      switch event.kind {
      case .quoteUpdated(let served): [.quote(served.symbol)]
      case .watchlistChanged(let id, _): [.immortal(id), .immortals]
      default: []
      }
    for address in addresses {
      let now = core.clock.now()
      let action = state.withLock { state -> (uri: String, decision: UpdatePacer<ResourceAddress>.Decision)? in
        guard let uri = state.watched[address] else { return nil }
        return (uri, state.pacer.offer(address, at: now))
      }
      guard let action else { continue }
      switch action.decision {
      case .sendNow: await notify(action.uri)
      case .sendAt(let deadline): schedule(address, at: deadline)
      case .folded: break
      }
    }
  }

  /// The folded update, sent when the interval since the last one ends.
  private func schedule(_ address: ResourceAddress, at deadline: MarketInstant) {
    let clock = core.clock
    let task = Task { [weak self] in
      do { try await clock.sleep(until: deadline) } catch { return }
      guard let self else { return }
      let uri = self.state.withLock { state -> String? in
        state.trailing[address] = nil
        guard let uri = state.watched[address], state.pacer.fire(address, at: clock.now()) else { return nil }
        return uri
      }
      if let uri { await self.notify(uri) }
    }
    let replaced = state.withLock { state -> Task<Void, Never>? in
      guard state.watched[address] != nil, !state.isClosed else { return task }
      let previous = state.trailing[address]
      state.trailing[address] = task
      return previous
    }
    replaced?.cancel()
  }
}
