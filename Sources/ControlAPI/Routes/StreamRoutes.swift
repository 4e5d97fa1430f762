import ControlAPIClient
import Foundation
import HTTPTypes
import Hummingbird
import MarketCore
import ServiceLifecycle

/// `GET /v1/stream`: Server-Sent Events. First a `snapshot`, then `quote`, `watchlist` and
/// `event` as they happen, `providers` and `cache` when their state differs from what this
/// client last saw, and a heartbeat comment after a quiet spell.
extension ControlAPIBuilder {
  /// Tells a proxy (nginx) in front not to buffer the stream.
  static let accelBuffering = HTTPField.Name("X-Accel-Buffering") ?? .cacheControl

  func addStreamRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/stream") { [self] request, _ in
      let options = try StreamOptions(
        symbols: request.uri.queryParameters["symbols"], maximumEvents: request.uri.queryParameters["max_events"],
        maximumListLength: configuration.maximumSymbolListLength, maximumSymbols: configuration.maximumBatchSymbols)
      guard let slot = streams.acquire() else {
        throw APIError(
          .serviceUnavailable, "too_many_streams", "\(streams.maximum) live streams are open; try again later",
          headers: [.retryAfter: "5"])
      }
      let session = StreamSession(core: core, configuration: configuration.stream, options: options)
      return Response(
        status: .ok,
        headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", Self.accelBuffering: "no"],
        body: ResponseBody { writer in
          try await session.run(&writer)
          withExtendedLifetime(slot) {}
        })
    }
  }
}

/// What a client asked of its stream.
struct StreamOptions: Sendable {
  /// Only quote updates for these symbols; nil for all.
  var symbols: Set<Symbol>?
  /// End the stream after this many events (for scripts); nil runs until the client leaves.
  var maximumEvents: Int?

  init(symbols list: Substring?, maximumEvents text: Substring?, maximumListLength: Int, maximumSymbols: Int) throws {
    if let list {
      var symbols = Set<Symbol>()
      for text in try symbolList(list, maximumLength: maximumListLength) {
        do throws(SymbolError) {
          symbols.insert(try Symbol(validating: text))
        } catch {
          throw APIError(ReadError.invalidSymbol(error))
        }
      }
      guard symbols.count <= maximumSymbols else {
        throw APIError.badRequest("too_many_symbols", "at most \(maximumSymbols) symbols per stream")
      }
      self.symbols = symbols.isEmpty ? nil : symbols
    }
    if let text {
      guard let count = Int(text), (1...1_000_000).contains(count) else {
        throw APIError.badRequest("invalid_max_events", "max_events is a whole number from 1 to 1000000")
      }
      maximumEvents = count
    }
  }
}

/// One client's stream: subscribes, sends the snapshot, then forwards events from its bounded
/// queue until the client leaves, falls behind, has had `max_events`, or the server shuts down.
struct StreamSession: Sendable {
  let core: MarketDataCore
  let configuration: StreamConfiguration
  let options: StreamOptions

  func run(_ writer: inout any ResponseBodyWriter) async throws {
    let queue = StreamQueue(limit: configuration.clientBufferLimit)
    // Subscribe before the snapshot so nothing falls between the two.
    let updates = core.updates(bufferSize: configuration.clientBufferLimit)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for await event in updates {
          guard queue.offer(.event(event)) else { break }
        }
        queue.finish()
      }
      do {
        try await withGracefulShutdownHandler {
          guard var state = try await sendSnapshot(&writer) else { return }
          // The status clock starts once the snapshot is out, so a quiet spell is measured
          // from the client's last byte, never from before it had anything.
          group.addTask { [core, configuration] in
            while !Task.isCancelled {
              do { try await core.clock.sleep(for: configuration.statusInterval) } catch { break }
              if !queue.offer(.tick) { break }
            }
          }
          try await forward(queue, &state, to: &writer)
        } onGracefulShutdown: {
          queue.finish()
        }
      } catch {
        group.cancelAll()
        throw error
      }
      group.cancelAll()
    }
    try await writer.finish(nil)
  }

  /// Sends the reconnect hint and the snapshot; nil when that was all the client asked for.
  private func sendSnapshot(_ writer: inout any ResponseBodyWriter) async throws -> StreamState? {
    var state = StreamState(maximumEvents: options.maximumEvents, lastWrite: core.clock.now())
    try await writer.write(ServerSentEvent.retry(milliseconds: 2000))
    let snapshot = SnapshotBody(
      immortals: immortalBodies(), providers: core.providerStatuses().map(ProviderBody.init),
      cache: CacheBody(core.cacheStatistics()), events: core.recentEvents.suffix(50).map(EventBody.init),
      quoteTTLSeconds: core.configuration.quotePolicy.timeToLive.seconds)
    state.lastProviders = JSONBody.encode(snapshot.providers)
    state.lastCache = JSONBody.encode(snapshot.cache)
    if try await send(.snapshot, snapshot, &state, &writer) { return nil }
    return state
  }

  private func forward(
    _ queue: StreamQueue, _ state: inout StreamState, to writer: inout any ResponseBodyWriter
  ) async throws {
    for await item in queue.items {
      switch item {
      case .event(let event):
        if try await send(event, &state, &writer) { return }
      case .tick:
        if try await sendChangedStatus(&state, &writer) { return }
        if core.clock.now() - state.lastWrite >= configuration.heartbeatInterval {
          try await writer.write(ServerSentEvent.comment("heartbeat"))
          state.lastWrite = core.clock.now()
        }
      }
    }
    if queue.didOverflow {
      // Best effort: the client is slow, but may still read this before the close.
      try? await writer.write(
        ServerSentEvent.comment("dropped: this client fell more than \(configuration.clientBufferLimit) events behind; reconnect")
      )
    }
  }

  /// Sends one core event; true when the stream has sent all the client asked for.
  private func send(_ event: MarketEvent, _ state: inout StreamState, _ writer: inout any ResponseBodyWriter) async throws -> Bool
  {
    switch event.kind {
    case .quoteUpdated(let served):
      if let symbols = options.symbols, !symbols.contains(served.symbol) { return false }
      return try await send(.quote, QuoteBody(served), &state, &writer)
    case .watchlistChanged(let id, let list):
      return try await send(
        .watchlist, ImmortalBody(Immortal.named(id), watchlist: list, quotes: lastKnown(list.symbols)), &state, &writer)
    case .breakerTransition, .operatorAction:
      // The state behind these changed: send it now rather than at the next tick.
      if try await send(.event, EventBody(event), &state, &writer) { return true }
      return try await sendChangedStatus(&state, &writer)
    case .providerError, .cacheInvalidated, .dataQuality, .persistenceFailed:
      return try await send(.event, EventBody(event), &state, &writer)
    }
  }

  private func sendChangedStatus(_ state: inout StreamState, _ writer: inout any ResponseBodyWriter) async throws -> Bool {
    let providers = core.providerStatuses().map(ProviderBody.init)
    if let data = JSONBody.encode(providers), data != state.lastProviders {
      state.lastProviders = data
      if try await send(.providers, ProvidersBody(providers: providers), &state, &writer) { return true }
    }
    let cache = CacheBody(core.cacheStatistics())
    if let data = JSONBody.encode(cache), data != state.lastCache {
      state.lastCache = data
      if try await send(.cache, cache, &state, &writer) { return true }
    }
    return false
  }

  private func send(
    _ name: StreamEventName, _ body: some Encodable, _ state: inout StreamState, _ writer: inout any ResponseBodyWriter
  ) async throws -> Bool {
    guard let data = JSONBody.encode(body) else { return false }
    state.sent += 1
    try await writer.write(ServerSentEvent(id: state.sent, event: name.rawValue, data: data).encoded())
    state.lastWrite = core.clock.now()
    return state.maximumEvents.map { state.sent >= $0 } ?? false
  }

  private func immortalBodies() -> [ImmortalBody] {
    let lists = core.watchlists
    return Immortal.all.map { immortal in
      let list = lists[immortal.id] ?? Watchlist(symbols: [])
      return ImmortalBody(immortal, watchlist: list, quotes: lastKnown(list.symbols))
    }
  }

  private func lastKnown(_ symbols: [Symbol]) -> [Symbol: Result<ServedQuote, ReadError>] {
    var quotes: [Symbol: Result<ServedQuote, ReadError>] = [:]
    for symbol in symbols {
      if let served = core.lastKnown(symbol) { quotes[symbol] = .success(served) }
    }
    return quotes
  }
}

/// What one stream has sent so far.
struct StreamState {
  var maximumEvents: Int?
  var lastWrite: MarketInstant
  var sent = 0
  var lastProviders: Data?
  var lastCache: Data?
}
