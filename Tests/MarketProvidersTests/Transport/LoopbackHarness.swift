import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

/// A fake upstream on loopback and a transport of its own, shut down together after `body`.
func withLoopback<Result>(
  transport configuration: HTTPTransport.Configuration = .loopbackDefaults,
  _ handler: @escaping FakeUpstream.Handler,
  _ body: (FakeUpstream, HTTPTransport) async throws -> Result
) async throws -> Result {
  let upstream = try await FakeUpstream.start(handler)
  let transport = HTTPTransport(configuration: configuration)
  do {
    let result = try await body(upstream, transport)
    try await transport.shutdown()
    try await upstream.shutdown()
    return result
  } catch {
    try? await transport.shutdown()
    try? await upstream.shutdown()
    throw error
  }
}

extension HTTPTransport.Configuration {
  /// Timeouts only a hang reaches; a test that waits out a fault sets a short one itself.
  static var loopbackDefaults: Self {
    var configuration = Self()
    configuration.connectTimeout = .generousTimeout
    configuration.readTimeout = .generousTimeout
    return configuration
  }

  static func loopback(readTimeout: Duration) -> Self {
    var configuration = loopbackDefaults
    configuration.readTimeout = readTimeout
    return configuration
  }
}

extension FakeUpstream.Response {
  /// A recorded fixture served as the upstream recorded it (JSON unless told otherwise).
  static func fixture(
    _ path: String, status: Int = 200, contentType: String = "application/json",
    headers: [(String, String)] = [], faults: [FakeUpstream.Fault] = []
  ) throws -> Self {
    Self(status: status, headers: [("Content-Type", contentType)] + headers, body: try Fixture.bytes(path), faults: faults)
  }
}

/// The error a call threw as a ``ProviderError``, or nil (recording an issue) when it did not throw.
func providerError(
  sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> some Any
) async -> ProviderError? {
  do {
    _ = try await call()
    Issue.record("expected the call to fail", sourceLocation: sourceLocation)
    return nil
  } catch let error as ProviderError {
    return error
  } catch {
    Issue.record("expected a ProviderError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    return nil
  }
}
