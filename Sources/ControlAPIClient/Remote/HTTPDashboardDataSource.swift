import AsyncHTTPClient
import Foundation
import Logging
import MarketCore
import NIOCore
import ServiceLifecycle
import Synchronization
import TerminalUI

/// The dashboard's data source when the core runs elsewhere (`lianyaohu dash --connect URL`):
/// a mirror of the remote core fed by `GET /v1/stream`, with operator commands sent to the
/// control routes.
///
/// As a `Service` it holds the stream open: it reconnects with capped, jittered exponential
/// backoff whenever the stream fails or ends, and shows `disconnected` (with the reason) until
/// the server answers again. Quotes keep their last values meanwhile and age into stale.
public final class HTTPDashboardDataSource: DashboardDataSource, Service {
  public struct Options: Sendable {
    /// Whole request time for a command, and for the stream's response head.
    var requestTimeout: Duration = .seconds(10)
    /// The largest single stream event accepted (the first snapshot is the biggest).
    var maximumEventBytes = 4 << 20
    /// The largest command answer read.
    var maximumResponseBytes = 1 << 20
    /// The largest history document read (the detail view asks for at most 20 000 bars).
    var maximumHistoryBytes = 16 << 20
    /// History reads in flight at once while seeding sparklines.
    var sparklineLoadsAtOnce = 4
    var backoff = ReconnectBackoff()

    public init() {}
  }

  let endpoint: RemoteEndpoint
  private let token: Secret?
  private let client: HTTPClient
  private let options: Options
  private let logger: Logger
  private let mirror: Mutex<Mirror>

  /// What the panes show, as of the last stream event, and who listens for changes.
  private struct Mirror {
    var snapshot: DashboardSnapshot
    var subscribers: [Int: AsyncStream<DashboardUpdate>.Continuation] = [:]
    var nextSubscriber = 0
    /// The newest remote event forwarded and the ones at that time, so a reconnect's snapshot
    /// does not repeat lines already shown.
    var newestEventTime: Date?
    var eventsAtNewestTime: Set<String> = []
  }

  public init(endpoint: RemoteEndpoint, token: Secret?, client: HTTPClient, options: Options = Options(), logger: Logger) {
    self.endpoint = endpoint
    self.token = token
    self.client = client
    self.options = options
    self.logger = logger
    self.mirror = Mutex(Mirror(snapshot: DashboardSnapshot(time: Date(), connection: .connecting(endpoint.description))))
  }

  // MARK: DashboardDataSource

  public func snapshot() async -> DashboardSnapshot {
    var snapshot = mirror.withLock { $0.snapshot }
    snapshot.time = Date()
    return snapshot
  }

  public func updates() -> AsyncStream<DashboardUpdate> {
    let (stream, continuation) = AsyncStream<DashboardUpdate>.makeStream(bufferingPolicy: .bufferingNewest(4096))
    let id = mirror.withLock { mirror in
      defer { mirror.nextSubscriber += 1 }
      mirror.subscribers[mirror.nextSubscriber] = continuation
      return mirror.nextSubscriber
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.mirror.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  public func perform(_ command: OperatorCommand) async -> Result<String, OperatorCommandError> {
    do {
      var note = ""
      if case .addSymbol(_, let symbol) = command {
        // As in process: refuse a symbol no provider knows rather than wait for it forever.
        let (status, body) = try await send(RemoteCommand.probe(symbol))
        switch status {
        case 200:
          if let served = try? ClientJSON.decode(QuoteBody.self, from: body) {
            note = ": \(Format.price(served.price)) from \(served.source)"
          }
        case 404: return .failure(OperatorCommandError("no provider knows \(symbol); not added"))
        default: note = ": no quote yet (\(RemoteCommand.refusal(status: status, body: body)))"
        }
      }
      let (status, body) = try await send(try RemoteCommand(command))
      guard (200..<300).contains(status) else {
        return .failure(OperatorCommandError(RemoteCommand.refusal(status: status, body: body)))
      }
      return .success(RemoteCommand.confirmation(command, body: body) + note)
    } catch let error as ClientDecodingError {
      return .failure(OperatorCommandError(error.message))
    } catch {
      return .failure(OperatorCommandError("cannot reach \(endpoint): \(Self.describe(error))"))
    }
  }

  public func history(_ request: HistoryRequest) async -> Result<Served<HistorySeries>, DetailLoadError> {
    await read(RemoteCommand.history(request), limit: options.maximumHistoryBytes) { data throws(ClientDecodingError) in
      try ClientJSON.decode(HistoryBody.self, from: data).servedSeries()
    }
  }

  public func profile(_ symbol: Symbol) async -> Result<Served<Profile>, DetailLoadError> {
    await read(RemoteCommand.profile(symbol), limit: options.maximumResponseBytes) { data throws(ClientDecodingError) in
      try ClientJSON.decode(ProfileBody.self, from: data).servedProfile()
    }
  }

  /// Intraday closes over the API, a few symbols at a time.
  public func sparklineHistory(_ symbols: [Symbol]) async -> [Symbol: [Double]] {
    await SparklineHistory.load(symbols, atOnce: options.sparklineLoadsAtOnce) { request in
      try? await self.history(request).get().value
    }
  }

  /// One read route: its value, or the API's error class and reason.
  private func read<Value>(
    _ command: RemoteCommand, limit: Int, _ decode: (Data) throws(ClientDecodingError) -> Value
  ) async -> Result<Value, DetailLoadError> {
    let answer: (status: Int, body: Data)
    do {
      answer = try await send(command, limit: limit)
    } catch {
      return .failure(DetailLoadError(errorClass: "unreachable", reason: "cannot reach \(endpoint): \(Self.describe(error))"))
    }
    guard answer.status == 200 else {
      let detail = (try? ClientJSON.decode(ErrorEnvelope.self, from: answer.body))?.error
      return .failure(
        DetailLoadError(
          errorClass: detail.map { ProviderError.sanitizedExcerpt($0.errorClass, limit: 40) } ?? "http_\(answer.status)",
          reason: RemoteCommand.refusal(status: answer.status, body: answer.body)))
    }
    do throws(ClientDecodingError) {
      return .success(try decode(answer.body))
    } catch {
      return .failure(DetailLoadError(errorClass: "bad_response", reason: error.message))
    }
  }

  /// Sends one request; the status and up to `limit` bytes of the answer (by default
  /// `maximumResponseBytes`).
  private func send(_ command: RemoteCommand, limit: Int? = nil) async throws -> (Int, Data) {
    var request = HTTPClientRequest(url: endpoint.url(command.path))
    request.method = .RAW(value: command.method.rawValue)
    request.headers.add(name: "Accept", value: "application/json")
    if command.needsToken, let token { request.headers.add(name: "Authorization", value: "Bearer \(token.revealedValue)") }
    if let body = command.body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await client.execute(request, timeout: .nanoseconds(options.requestTimeout.nanoseconds))
    let body = try await response.body.collect(upTo: limit ?? options.maximumResponseBytes)
    return (Int(response.status.code), Data(body.readableBytesView))
  }

  // MARK: Service

  /// Keeps the stream open until the dashboard quits or the process shuts down.
  public func run() async throws {
    await cancelWhenGracefulShutdown { await self.stayConnected() }
    mirror.withLock { mirror in
      for continuation in mirror.subscribers.values { continuation.finish() }
      mirror.subscribers.removeAll()
    }
  }

  private func stayConnected() async {
    var backoff = options.backoff
    var random = SystemRandomNumberGenerator()
    while !Task.isCancelled {
      let reason: String
      do {
        try await stream { backoff.reset() }
        reason = "the server ended the stream"
      } catch {
        if Task.isCancelled { return }
        reason = Self.describe(error)
      }
      let delay = backoff.nextDelay(using: &random)
      let retry = "retry \(backoff.failures) in \(Self.brief(delay))"
      logger.warning("live stream lost", metadata: ["endpoint": "\(endpoint)", "reason": "\(reason)", "retry": "\(retry)"])
      setConnection(.disconnected(endpoint.description, reason: "\(reason); \(retry)"))
      do { try await Task.sleep(for: delay) } catch { return }
    }
  }

  /// Reads the stream until it ends or fails; `connected` runs once its snapshot has arrived.
  private func stream(connected: () -> Void) async throws {
    var request = HTTPClientRequest(url: endpoint.url("/v1/stream"))
    request.headers.add(name: "Accept", value: "text/event-stream")
    let response = try await client.execute(request, timeout: .nanoseconds(options.requestTimeout.nanoseconds))
    guard response.status == .ok else {
      let body = (try? await response.body.collect(upTo: options.maximumResponseBytes)).map { Data($0.readableBytesView) }
      throw StreamFailure(RemoteCommand.refusal(status: Int(response.status.code), body: body ?? Data()))
    }
    var parser = ServerSentEventParser(maximumEventBytes: options.maximumEventBytes)
    var hasSnapshot = false
    for try await chunk in response.body {
      for item in parser.parse(chunk.readableBytesView) {
        switch item {
        case .event(let event):
          let message: StreamMessage
          do {
            message = try StreamMessage(event)
          } catch {
            logger.warning("unreadable stream event", metadata: ["event": "\(event.type)", "error": "\(error)"])
            continue
          }
          if case .snapshot = message {
            hasSnapshot = true
            connected()
          } else if !hasSnapshot {
            continue
          }
          apply(message)
        case .comment(let text):
          if text.hasPrefix("dropped") { logger.warning("the server dropped this stream", metadata: ["why": "\(text)"]) }
        case .retry:
          break
        case .oversized(let bytes):
          logger.warning("stream event over the size limit skipped", metadata: ["bytes": "\(bytes)"])
        }
      }
    }
  }

  // MARK: Mirror

  /// Takes one stream message into the mirror (internal so tests can feed messages).
  func apply(_ message: StreamMessage) {
    let now = Date()
    do {
      switch message {
      case .snapshot(let body): try takeSnapshot(body, at: now)
      case .quote(let body):
        let served = try body.servedQuote(receivedLocallyAt: now)
        publish([.event(MarketEvent(time: now, kind: .quoteUpdated(served)))]) { mirror in
          if mirror.snapshot.watchlists.values.contains(where: { $0.symbols.contains(served.symbol) }) {
            mirror.snapshot.quotes[served.symbol] = served
          }
        }
      case .watchlist(let body):
        let (immortal, list) = try body.watchlist()
        let quotes = try body.quotes(receivedLocallyAt: now)
        publish([.event(MarketEvent(time: now, kind: .watchlistChanged(immortal, list)))]) { mirror in
          mirror.snapshot.watchlists[immortal] = list
          for served in quotes { mirror.snapshot.quotes[served.symbol] = served }
        }
      case .event(let body):
        publish(computing: { mirror in
          if let line = Self.takeLine(body, &mirror) { return [.eventLine(line)] }
          return []
        })
      case .providers(let body):
        let statuses = try body.statuses()
        publish([.providers(statuses)]) { $0.snapshot.providers = statuses }
      case .cache(let body):
        let tiers = body.statistics
        publish([.cacheTiers(tiers)]) { $0.snapshot.cacheTiers = tiers }
      case .unknown:
        break
      }
    } catch {
      logger.warning("stream event not applied", metadata: ["error": "\(error)"])
    }
  }

  private func takeSnapshot(_ body: SnapshotBody, at now: Date) throws(ClientDecodingError) {
    var watchlists: [ImmortalID: Watchlist] = [:]
    var quotes: [Symbol: ServedQuote] = [:]
    for immortal in body.immortals {
      let (id, list) = try immortal.watchlist()
      watchlists[id] = list
      for served in try immortal.quotes(receivedLocallyAt: now) { quotes[served.symbol] = served }
    }
    let providers = try body.providers.map { (provider) throws(ClientDecodingError) in try provider.status() }
    let connection = ConnectionState.connected(endpoint.description)
    logger.notice("live stream connected", metadata: ["endpoint": "\(endpoint)"])
    publish(computing: { mirror in
      mirror.snapshot.watchlists = watchlists
      // Symbols no longer watched drop out; the rest take the server's values.
      mirror.snapshot.quotes = quotes
      mirror.snapshot.providers = providers
      mirror.snapshot.cacheTiers = body.cache.statistics
      // Without the server's TTL, quotes would age into stale by the dashboard's default.
      if let timeToLive = body.quoteTimeToLive { mirror.snapshot.quoteTimeToLive = timeToLive }
      mirror.snapshot.connection = connection
      var snapshot = mirror.snapshot
      snapshot.time = now
      var updates: [DashboardUpdate] = [.snapshot(snapshot)]
      for event in body.events {
        if let line = Self.takeLine(event, &mirror) { updates.append(.eventLine(line)) }
      }
      return updates
    })
  }

  /// The events pane's line for a remote event, unless it was already shown.
  private static func takeLine(_ body: EventBody, _ mirror: inout Mirror) -> EventLine? {
    if let newest = mirror.newestEventTime {
      if body.time < newest { return nil }
      if body.time == newest, mirror.eventsAtNewestTime.contains(body.summary) { return nil }
      if body.time > newest { mirror.eventsAtNewestTime.removeAll() }
    }
    mirror.newestEventTime = body.time
    mirror.eventsAtNewestTime.insert(body.summary)
    return EventLine(time: body.time, kind: Self.lineKind(body.kind), text: body.summary)
  }

  /// The events pane's category for an `EventBody.kind`.
  static func lineKind(_ kind: String) -> EventLine.Kind {
    switch kind {
    case "breaker_transition": .breaker
    case "operator_action": .operator
    case "cache_invalidated": .cache
    case "watchlist_changed": .watchlist
    case "data_quality": .quality
    default: .error
    }
  }

  private func setConnection(_ connection: ConnectionState) {
    publish([.connection(connection)]) { $0.snapshot.connection = connection }
  }

  /// Changes the mirror and tells every subscriber, in one critical section so updates reach
  /// subscribers in the order the mirror took them.
  private func publish(_ updates: [DashboardUpdate], _ change: (inout Mirror) -> Void) {
    publish(computing: { mirror in
      change(&mirror)
      return updates
    })
  }

  private func publish(computing change: (inout Mirror) -> [DashboardUpdate]) {
    mirror.withLock { mirror in
      let updates = change(&mirror)
      for continuation in mirror.subscribers.values {
        for update in updates { continuation.yield(update) }
      }
    }
  }

  // MARK: Errors

  /// A failure in an operator's words; never the request, so never the token.
  static func describe(_ error: any Error) -> String {
    if let failure = error as? StreamFailure { return failure.reason }
    if let error = error as? HTTPClientError {
      switch error {
      case .connectTimeout: return "connecting timed out"
      case .readTimeout: return "no data from the server for too long"
      case .deadlineExceeded: return "the server took too long to answer"
      case .remoteConnectionClosed, .bodyLengthMismatch: return "the server closed the connection"
      default: break
      }
    }
    if error is NIOTooManyBytesError { return "the answer was too large" }
    let text = String(describing: error)
    if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
    if text.contains("ioOnClosedChannel") || text.contains("Connection reset") { return "the server closed the connection" }
    return ProviderError.sanitizedExcerpt(text)
  }

  private static func brief(_ duration: Duration) -> String {
    let seconds = duration.seconds
    return seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds.rounded())) s"
  }
}

/// The stream could not start: the server answered, but not with a stream.
struct StreamFailure: Error {
  let reason: String
  init(_ reason: String) { self.reason = reason }
}
