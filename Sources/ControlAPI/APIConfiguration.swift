import Prometheus

/// How the control API behaves: where it listens, who may change things, and the bounds that
/// keep one client from taking the process down. `serve` fills it from flags and environment.
public struct APIConfiguration: Sendable {
  /// Loopback by default: binding anything else needs a token (see ``validate()``).
  public var host = "127.0.0.1"
  public var port = 8686
  /// When set, every mutating route (POST, PUT, PATCH, DELETE) needs `Authorization: Bearer`.
  public var token: APIToken?
  /// Where `/metrics` reads from; the process bootstraps swift-metrics onto the same registry
  /// with ``APIMetrics/bootstrap(registry:)``.
  public var metricsRegistry: PrometheusCollectorRegistry
  /// Largest request body accepted (watchlist edits are a few hundred bytes).
  public var maximumBodyBytes = 16 * 1024
  /// Longest query string accepted, percent-encoded; a symbol list of the longest allowed
  /// text fits within it even when every character needs escaping.
  public var maximumQueryBytes = 16 * 1024
  /// Longest symbol list (`symbols=`) accepted, in characters.
  public var maximumSymbolListLength = 1000
  /// Most symbols one batch request may ask for.
  public var maximumBatchSymbols = 64
  /// Bodies at least this long are gzip-compressed when the client accepts it.
  public var compressionThreshold = 1024
  public var stream = StreamConfiguration()

  public init(metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.metricsRegistry = metricsRegistry
  }

  /// Refuses configurations that would expose control routes to a network unauthenticated.
  public func validate() throws(APIConfigurationError) {
    guard (1...65_535).contains(port) || port == 0 else { throw .invalidPort(port) }
    if token == nil, !Self.isLoopback(host) { throw .nonLoopbackWithoutToken(host: host) }
  }

  /// Whether an address only reaches this machine.
  public static func isLoopback(_ host: String) -> Bool {
    if host == "localhost" || host == "::1" || host == "[::1]" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }
}

/// The live stream's pacing and bounds.
public struct StreamConfiguration: Sendable {
  /// A comment line after this long without output, so proxies and clients know we are alive.
  public var heartbeatInterval: Duration = .seconds(15)
  /// How often provider and cache state are compared with what a client last saw.
  public var statusInterval: Duration = .seconds(1)
  /// Undelivered events one client may have queued; past it, the client is dropped.
  public var clientBufferLimit = 1024
  /// Streams open at once; more are refused with 503.
  public var maximumClients = 64

  public init() {}
}

public enum APIConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
  case nonLoopbackWithoutToken(host: String)
  case invalidPort(Int)

  public var description: String {
    switch self {
    case .nonLoopbackWithoutToken(let host):
      "refusing to listen on \(host) without an API token: anyone who can reach it could trip providers and "
        + "edit watchlists. Set LIANYAOHU_API_TOKEN (or name another variable with --token-env), or listen on 127.0.0.1"
    case .invalidPort(let port): "port \(port) is not between 1 and 65535"
    }
  }
}
