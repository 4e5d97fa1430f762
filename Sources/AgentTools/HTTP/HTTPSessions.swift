import Foundation
import Logging
import MCP
import MarketCore

/// MCP over Streamable HTTP, framework-agnostic: one ``AgentSession`` per `Mcp-Session-Id`,
/// each on the SDK's `StatefulHTTPServerTransport` (POST answers as SSE, a GET stream for
/// server-initiated notifications, DELETE to end). A front end (ControlAPI's `/mcp` route)
/// turns its requests into `HTTPRequest`s and writes back the `HTTPResponse`s.
///
/// Sessions are bounded: at most `maximumSessions` at once, and one with no request and no
/// open notification stream for `idleTimeout` (on the core's clock) is closed, releasing its
/// subscriptions. Expiry is checked as requests arrive, so no timer runs.
public actor HTTPSessions {
  public struct Configuration: Sendable {
    public var maximumSessions = 256
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// When the server listens only on loopback, the `Host` and `Origin` headers must name
    /// loopback (DNS rebinding protection); when it listens on a network, any host is accepted
    /// (the bearer token guards mutations there, as it does the API's routes).
    public var loopbackOnly = true

    public init() {}
  }

  private struct Entry {
    let session: AgentSession
    let transport: StatefulHTTPServerTransport
    var lastUsed: MarketInstant
    var openStreams = 0
  }

  private let tools: AgentTools
  private let mutations: MutationGuard
  private let configuration: Configuration
  private let logger: Logger
  private var sessions: [String: Entry] = [:]

  public init(
    tools: AgentTools, mutations: MutationGuard, configuration: Configuration = Configuration(),
    logger: Logger = Logger(label: "lianyaohu.mcp.http")
  ) {
    self.tools = tools
    self.mutations = mutations
    self.configuration = configuration
    self.logger = logger
  }

  /// Sessions open now.
  public var count: Int { sessions.count }

  public func handle(_ request: HTTPRequest) async -> HTTPResponse {
    await expireIdleSessions()
    if let id = request.header(HTTPHeaderName.sessionID) {
      guard var entry = sessions[id] else {
        return .error(statusCode: 404, .invalidRequest("Not Found: no session \(Excerpt.printable(id)); initialize a new one"))
      }
      entry.lastUsed = tools.core.clock.now()
      sessions[id] = entry
      let response = await entry.transport.handleRequest(request)
      if request.method.uppercased() == "DELETE", response.statusCode == 200 {
        await close(id)
      } else if request.method.uppercased() == "GET", case .stream(let stream, let headers) = response {
        return .stream(watching(stream, of: id), headers: headers)
      }
      return response
    }
    guard request.method.uppercased() == "POST", Self.isInitialize(request.body) else {
      return .error(statusCode: 400, .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header"))
    }
    return await open(request)
  }

  /// Closes every session (at shutdown).
  public func closeAll() async {
    for id in Array(sessions.keys) { await close(id) }
  }

  private func open(_ request: HTTPRequest) async -> HTTPResponse {
    guard sessions.count < configuration.maximumSessions else {
      return .error(
        statusCode: 503,
        .invalidRequest("Service Unavailable: \(configuration.maximumSessions) MCP sessions are open; close one first"))
    }
    let id = UUID().uuidString
    let transport = StatefulHTTPServerTransport(
      sessionIDGenerator: FixedSessionID(id: id),
      validationPipeline: StandardValidationPipeline(validators: [
        configuration.loopbackOnly ? OriginValidator.localhost() : OriginValidator.disabled,
        AcceptHeaderValidator(mode: .sseRequired),
        ContentTypeValidator(),
        ProtocolVersionValidator(),
        SessionValidator(),
      ]),
      logger: logger)
    let session = await tools.makeSession(mutations: mutations)
    do {
      try await session.start(transport: transport)
    } catch {
      logger.error("could not start an MCP session", metadata: ["error": "\(error)"])
      return .error(statusCode: 500, .internalError("could not start the session"))
    }
    let response = await transport.handleRequest(request)
    guard (200..<300).contains(response.statusCode) else {
      await session.close()
      return response
    }
    sessions[id] = Entry(session: session, transport: transport, lastUsed: tools.core.clock.now())
    logger.info("MCP session opened", metadata: ["sessions": "\(sessions.count)"])
    return response
  }

  private func close(_ id: String) async {
    guard let entry = sessions.removeValue(forKey: id) else { return }
    await entry.session.close()
    logger.info("MCP session closed", metadata: ["sessions": "\(sessions.count)"])
  }

  private func expireIdleSessions() async {
    let now = tools.core.clock.now()
    let idle = sessions.filter { $0.value.openStreams == 0 && now - $0.value.lastUsed >= configuration.idleTimeout }
    for id in idle.keys {
      logger.info("MCP session expired after \(configuration.idleTimeout) without requests")
      await close(id)
    }
  }

  /// Passes a notification stream through, counting it as activity while it is open.
  private func watching(
    _ stream: AsyncThrowingStream<Data, any Error>, of id: String
  ) -> AsyncThrowingStream<Data, any Error> {
    sessions[id]?.openStreams += 1
    let (relay, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    let forwarder = Task {
      do {
        for try await chunk in stream { continuation.yield(chunk) }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { [weak self] _ in
      forwarder.cancel()
      Task { await self?.streamEnded(id) }
    }
    return relay
  }

  private func streamEnded(_ id: String) {
    guard var entry = sessions[id] else { return }
    entry.openStreams = max(0, entry.openStreams - 1)
    entry.lastUsed = tools.core.clock.now()
    sessions[id] = entry
  }

  private static func isInitialize(_ body: Data?) -> Bool {
    struct Envelope: Decodable { var method: String? }
    guard let body, let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else { return false }
    return envelope.method == "initialize"
  }
}

private struct FixedSessionID: SessionIDGenerator {
  let id: String
  func generateSessionID() -> String { id }
}
