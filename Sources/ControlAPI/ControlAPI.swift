import Foundation
import Hummingbird
import Logging
import MarketCore
import NIOCore

/// The control API's router: every route, behind the same middleware, over one core. Tests
/// drive it directly (Hummingbird's `.router` test mode); ``buildControlAPI(core:configuration:logger:onServerRunning:)``
/// wraps it in a server.
public func buildControlAPIRouter(
  core: MarketDataCore, configuration: APIConfiguration
) -> Hummingbird.Router<APIRequestContext> {
  ControlAPIBuilder(core: core, configuration: configuration).makeRouter()
}

/// The control API as a Hummingbird application, ready to run as a `Service` next to the core's
/// own services. Call ``APIConfiguration/validate()`` first (``ServeCommand`` does).
public func buildControlAPI(
  core: MarketDataCore, configuration: APIConfiguration, logger: Logger = Logger(label: "lianyaohu.api"),
  onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<APIRequestContext>> {
  Application(
    router: buildControlAPIRouter(core: core, configuration: configuration),
    server: .http1(configuration: .init(idleTimeout: .seconds(75))),
    configuration: ApplicationConfiguration(
      address: .hostname(configuration.host, port: configuration.port), serverName: "lianyaohu/\(APIVersion.current)"),
    onServerRunning: onServerRunning,
    logger: logger)
}

public enum APIVersion {
  public static let current = "0.1.0"
}

/// What every route needs; each `Routes/*.swift` file adds one family of routes.
struct ControlAPIBuilder: Sendable {
  let core: MarketDataCore
  let configuration: APIConfiguration
  let streams: StreamLimiter

  init(core: MarketDataCore, configuration: APIConfiguration) {
    self.core = core
    self.configuration = configuration
    self.streams = StreamLimiter(maximum: configuration.stream.maximumClients)
  }

  func makeRouter() -> Hummingbird.Router<APIRequestContext> {
    let router = Hummingbird.Router(context: APIRequestContext.self)
    let table = RouteTable()
    // Outermost first: metrics see every answer, including errors as JSON.
    router.add(middleware: RouteMetricsMiddleware())
    router.add(
      middleware: APIMiddleware(
        limits: RequestLimits(maximumQueryBytes: configuration.maximumQueryBytes),
        token: BearerTokenRule(token: configuration.token),
        errors: ErrorResponder(routes: table), compression: ResponseCompression(threshold: configuration.compressionThreshold)))
    let routes = RouteRegistrar(router: router, table: table)
    addHealthRoutes(routes)
    addQuoteRoutes(routes)
    addHistoryRoutes(routes)
    addImmortalRoutes(routes)
    addProviderRoutes(routes)
    addCacheRoutes(routes)
    addStreamRoutes(routes)
    // Last, so it wraps only the fallback for paths no route matched: `/mcp` costs REST nothing.
    router.add(middleware: MCPEndpoint(core: core, configuration: configuration))
    return router
  }
}

/// Registers routes and remembers their patterns (for 405 answers).
struct RouteRegistrar {
  let router: Hummingbird.Router<APIRequestContext>
  let table: RouteTable

  func on(
    _ method: HTTPRequest.Method, _ path: String,
    _ handler: @escaping @Sendable (Request, APIRequestContext) async throws -> Response
  ) {
    router.on(RouterPath(path), method: method, use: handler)
    table.record(method: method.rawValue, path: path)
  }
}

/// A symbol from a path or a body: exactly the canonical alphabet, no surrounding spaces (so
/// what the OpenAPI document allows and what the API accepts are the same set).
func parseSymbol(_ text: some StringProtocol) throws(APIError) -> Symbol {
  if let first = text.first, let last = text.last, first.isWhitespace || last.isWhitespace {
    throw APIError.badRequest(ReadError.invalidSymbol(.empty).errorClass, "symbol has spaces around it")
  }
  do {
    return try Symbol(validating: text)
  } catch {
    throw APIError(ReadError.invalidSymbol(error))
  }
}

/// Splits a comma-separated symbol list (spaces around commas ignored), bounded in length.
func symbolList(_ text: Substring, maximumLength: Int) throws(APIError) -> [Substring] {
  guard text.unicodeScalars.count <= maximumLength else {
    throw APIError.badRequest("symbols_too_long", "the symbol list is longer than \(maximumLength) characters")
  }
  return text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
}

extension APIRequestContext {
  /// A path parameter, percent-decoded (`%5EVIX` is `^VIX`).
  func pathParameter(_ name: String) throws -> String {
    guard let raw = parameters.get(name) else { throw APIError.badRequest("missing_parameter", "missing path parameter \(name)") }
    // Most parameters need no decoding; Foundation's decoder is costly on the hot path.
    guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
    return raw.removingPercentEncoding ?? raw
  }
}
