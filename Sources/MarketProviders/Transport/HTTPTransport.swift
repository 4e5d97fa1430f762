import AsyncHTTPClient
import Foundation
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

  /// One request, already built by an adapter.
  public struct Request: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]

    public init(method: String = "GET", url: String, headers: [(String, String)] = []) {
      self.method = method
      self.url = url
      self.headers = headers
    }
  }

  public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
      headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
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
    settings.maximumUsesPerConnection = configuration.reusesConnections ? nil : 1
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
  }

  /// Performs a request within `deadline`. `secrets` are scrubbed from any error text.
  public func perform(_ request: Request, timeout: Duration, secrets: [String] = []) async throws(ProviderError) -> Response {
    var outgoing = HTTPClientRequest(url: request.url)
    outgoing.method = HTTPMethod(rawValue: request.method)
    outgoing.headers.add(name: "User-Agent", value: configuration.userAgent)
    outgoing.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
    for (name, value) in request.headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
    do {
      let response = try await client.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds))
      if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maximumBodyBytes {
        throw ProviderError.malformedBody(excerpt: "response of \(length) bytes refused (limit \(configuration.maximumBodyBytes))")
      }
      let body = try await response.body.collect(upTo: configuration.maximumBodyBytes)
      return Response(
        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
        body: Array(body.readableBytesView))
    } catch {
      throw Self.classify(error, limit: configuration.maximumBodyBytes, secrets: secrets)
    }
  }

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
    if let error = error as? NIOHTTPDecompression.DecompressionError {
      return .malformedBody(excerpt: "bad compressed body (\(error))")
    }
    var text = String(describing: error)
    for secret in secrets where !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "***") }
    if text.contains("connectionRefused") || text.contains("Connection refused") {
      return .transport("connection refused")
    }
    return .transport(ProviderError.sanitizedExcerpt(text))
  }

  public func shutdown() async throws {
    try await client.shutdown()
  }
}
