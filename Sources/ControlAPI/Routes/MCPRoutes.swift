import AgentTools
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import MarketCore
import NIOCore

/// `/mcp`: the agents' MCP server over Streamable HTTP (sessions, SSE for server-initiated
/// notifications), in front of the same core. It is added after every route, so it only sees
/// requests no route took and no REST route pays for it; it is JSON-RPC, documented in
/// docs/MCP.md rather than openapi.yaml. The API's rules hold: loopback by default (and then
/// only loopback `Host`/`Origin` names), reads open, and the one mutating tool needs the API's
/// bearer token when one is configured (``BearerTokenRule`` leaves this path to it).
struct MCPEndpoint: RouterMiddleware {
  typealias Context = APIRequestContext

  static let path = "/mcp"

  let sessions: HTTPSessions
  /// MCP requests are JSON-RPC envelopes around small arguments (200 symbols are ~4 KiB).
  let maximumBodyBytes = 64 * 1024

  init(core: MarketDataCore, configuration: APIConfiguration) {
    let mutations = configuration.token.map { token in MutationGuard.bearerToken { token.matches($0) } } ?? .open
    var settings = HTTPSessions.Configuration()
    settings.loopbackOnly = APIConfiguration.isLoopback(configuration.host)
    self.sessions = HTTPSessions(tools: AgentTools(core: core), mutations: mutations, configuration: settings)
  }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    guard request.uri.path == Self.path else { return try await next(request, context) }
    // HTTP/1's Host travels as the `:authority` pseudo-header, not among the fields.
    var headers: [String: String] = request.head.authority.map { ["Host": $0] } ?? [:]
    for field in request.headers {
      let name = field.name.canonicalName
      headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
    }
    var body: Data?
    if request.method == .post {
      do {
        body = Data(try await request.body.collect(upTo: maximumBodyBytes).readableBytesView)
      } catch {
        return Self.response(
          .error(statusCode: 413, .invalidRequest("Payload Too Large: at most \(maximumBodyBytes) bytes per message")))
      }
    }
    return Self.response(
      await sessions.handle(MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: Self.path)))
  }

  private static func response(_ answer: MCP.HTTPResponse) -> Response {
    var fields = HTTPFields()
    for (name, value) in answer.headers {
      if let name = HTTPField.Name(name) { fields[name] = value }
    }
    let status = HTTPTypes.HTTPResponse.Status(code: answer.statusCode)
    guard case .stream(let stream, _) = answer else {
      return Response(
        status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
    }
    return Response(
      status: status, headers: fields,
      body: ResponseBody { writer in
        for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
        try await writer.finish(nil)
      })
  }
}
