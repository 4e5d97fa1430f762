import AsyncHTTPClient
import Foundation
import Logging
import MarketCore
import NIOCore
import NIOHTTP1

/// The one HTTP client every real provider shares: AsyncHTTPClient with a keep-alive pool per
/// upstream host, per-call timeouts, gzip/deflate decompression, an honest User-Agent, and a
/// response size limit enforced while streaming (a 50 MB body is refused, never buffered).
///
/// Every failure comes back as a ``ProviderError``; no message ever contains a secret.
public final class HTTPTransport: Sendable {
  public struct Configuration: Sendable {
    public var connectTimeout: Duration = .seconds(3)
    /// Longest silence between bytes once connected.
    public var readTimeout: Duration = .seconds(10)
    /// Connections kept per upstream host (a soft limit in AsyncHTTPClient).
    public var connectionsPerHost = 8
    public var idleTimeout: Duration = .seconds(60)
    /// Responses larger than this are refused.
    public var maximumBodyBytes = 4 << 20
    /// Reuse connections (keep-alive). Off only to measure what reuse is worth.
    public var reusesConnections = true
    public var userAgent = "lianyaohu/0.1 (+market-data core; Swift AsyncHTTPClient)"

    public init() {}
  }

  public let configuration: Configuration
  private let client: HTTPClient

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
    var settings = HTTPClient.Configuration(
      timeout: .init(
        connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
        read: .nanoseconds(configuration.readTimeout.nanoseconds)),
      connectionPool: .init(
        idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds),
        concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost),
      decompression: .enabled(limit: .size(configuration.maximumBodyBytes)))
    settings.httpVersion = .http1Only
    // A redirect would carry the key header (or the key in a copied query) to whatever host
    // the Location names. No provider here needs one: a 3xx is an upstream status error.
    settings.redirectConfiguration = .disallow
    settings.maximumUsesPerConnection = configuration.reusesConnections ? nil : 1
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
  }

  /// Performs an adapter's request within `timeout` and returns the response as a value for
  /// the adapter's parser. Sensitive header and query values are scrubbed from any error text.
  ///
  /// `logger` gets one debug line per request (credentials redacted) and per outcome.
  /// AsyncHTTPClient gets it too, but never below `.debug`: at `.trace` it logs every
  /// response part as received, and a body that echoes the caller's key (Alpha Vantage's
  /// error messages do) would land in the log verbatim.
  public func perform(
    _ request: HTTPRequestSpec, timeout: Duration, receivedAt: @Sendable () -> Date, source: ProviderID,
    logger: Logger = HTTPTransport.silentLogger
  ) async throws(ProviderError) -> HTTPResponseSnapshot {
    var outgoing = HTTPClientRequest(url: request.url)
    outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
    outgoing.headers.add(name: "User-Agent", value: configuration.userAgent)
    outgoing.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
    for header in request.headers { outgoing.headers.replaceOrAdd(name: header.name, value: header.value) }
    if !configuration.reusesConnections { outgoing.headers.replaceOrAdd(name: "Connection", value: "close") }
    if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
    var clientLogger = logger
    if clientLogger.logLevel < .debug { clientLogger.logLevel = .debug }
    logger.debug("upstream request", metadata: ["provider": "\(source)", "request": "\(request.redactedDescription)"])
    do {
      let response = try await client.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds), logger: clientLogger)
      if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maximumBodyBytes {
        throw ProviderError.malformedBody(
          excerpt: "response of \(length) bytes refused (limit \(configuration.maximumBodyBytes))")
      }
      let body = try await response.body.collect(upTo: configuration.maximumBodyBytes)
      logger.debug(
        "upstream response",
        metadata: ["provider": "\(source)", "status": "\(response.status.code)", "bytes": "\(body.readableBytes)"])
      return HTTPResponseSnapshot(
        status: Int(response.status.code), headers: response.headers.map { HTTPHeader(name: $0.name, value: $0.value) },
        body: Array(body.readableBytesView), symbols: request.symbols, receivedAt: receivedAt(), source: source)
    } catch {
      let failure = Self.classify(error, limit: configuration.maximumBodyBytes, secrets: request.sensitiveValues)
      logger.debug(
        "upstream call failed",
        metadata: ["provider": "\(source)", "class": "\(failure.errorClass)", "error": "\(failure)"])
      throw failure
    }
  }

  /// A logger that drops everything: the default when the caller has none to give.
  public static let silentLogger = Logger(label: "lianyaohu.http", factory: { _ in SwiftLogNoOpLogHandler() })

  /// Maps transport errors into the taxonomy, in words an operator understands.
  static func classify(_ error: any Error, limit: Int, secrets: [String]) -> ProviderError {
    if let error = error as? ProviderError { return error }
    if error is CancellationError { return .cancelled }
    if error is NIOTooManyBytesError {
      return .malformedBody(excerpt: "response larger than \(limit) bytes refused")
    }
    if let error = error as? HTTPClientError {
      switch error {
      case .readTimeout, .connectTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout, .writeTimeout:
        return .timeout
      case .bodyLengthMismatch, .remoteConnectionClosed:
        return .transport("connection closed before the whole response arrived")
      case .cancelled:
        return .cancelled
      default:
        break
      }
    }
    if let error = error as? IOError, error.errnoCode == ECONNRESET {
      return .transport("connection reset by peer")
    }
    if let error = error as? HTTPParserError, error == .invalidEOFState {
      return .transport("connection closed before the whole response arrived")
    }
    var text = String(describing: error)
    for secret in secrets where !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "***") }
    if text.contains("DecompressionError") || text.contains("Decompression") {
      return .malformedBody(excerpt: "bad compressed body")
    }
    if text.contains("connectionRefused") || text.contains("Connection refused") {
      return .transport("connection refused")
    }
    return .transport(ProviderError.sanitizedExcerpt(text))
  }

  public func shutdown() async throws {
    try await client.shutdown()
  }

  /// A transport dropped without an explicit shutdown (a one-shot command, a test) still
  /// closes its connections: AsyncHTTPClient traps on deinit otherwise. The callback keeps
  /// the client alive until it has shut down; a second shutdown's error is moot.
  deinit {
    let client = self.client
    client.shutdown(queue: .global()) { _ in withExtendedLifetime(client) {} }
  }
}
