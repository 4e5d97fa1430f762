import Foundation
import MarketCore
import Testing

@testable import MarketProviders

/// Loads the response bodies under `Fixtures/` (recorded ones per provider, hand-written
/// ones under `synthetic/`) and wraps them as snapshots.
enum Fixture {
  struct Missing: Error, CustomStringConvertible {
    var path: String
    var description: String { "fixture \(path) is not in the test bundle" }
  }

  static func bytes(_ path: String) throws -> [UInt8] {
    guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { throw Missing(path: path) }
    let url = root.appendingPathComponent(path)
    guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: path) }
    return Array(try Data(contentsOf: url))
  }

  static func response(
    _ path: String, status: Int = 200, headers: [HTTPHeader] = [], symbols: [Symbol], receivedAt: Date,
    source: ProviderID
  ) throws -> HTTPResponseSnapshot {
    HTTPResponseSnapshot(
      status: status, headers: headers, body: try bytes(path), symbols: symbols, receivedAt: receivedAt, source: source)
  }
}

/// A fixed instant from an ISO 8601 UTC string, parsed independently of the code under test.
func utc(_ text: String) -> Date {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  if let date = formatter.date(from: text) { return date }
  formatter.formatOptions = [.withInternetDateTime]
  guard let date = formatter.date(from: text) else {
    Issue.record("bad test date \(text)")
    return Date(timeIntervalSince1970: 0)
  }
  return date
}

func snapshot(
  _ body: String, status: Int = 200, headers: [HTTPHeader] = [], symbols: [Symbol],
  receivedAt: Date = utc("2025-12-22T18:00:00Z"), source: ProviderID = "test"
) -> HTTPResponseSnapshot {
  HTTPResponseSnapshot(
    status: status, headers: headers, body: Array(body.utf8), symbols: symbols, receivedAt: receivedAt, source: source)
}

/// The quote in a per-symbol result, recording an issue when it is missing or a failure.
func quote(
  _ result: Result<Quote, ProviderError>?, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Quote {
  let result = try #require(result, "no result for the symbol", sourceLocation: sourceLocation)
  switch result {
  case .success(let quote):
    return quote
  case .failure(let error):
    Issue.record("expected a quote, got \(error)", sourceLocation: sourceLocation)
    throw error
  }
}

/// The error in a per-symbol result, or nil when it is a quote or missing.
func failure(_ result: Result<Quote, ProviderError>?) -> ProviderError? {
  guard case .failure(let error)? = result else { return nil }
  return error
}

/// True for `malformedBody`, whatever its excerpt.
func isMalformed(_ error: ProviderError?) -> Bool {
  guard case .malformedBody? = error else { return false }
  return true
}

/// Checks that every printed form of an error is short and free of `secret`.
func expectSafe(_ error: ProviderError?, hiding secret: String, sourceLocation: SourceLocation = #_sourceLocation) {
  guard case .malformedBody(let excerpt)? = error else { return }
  #expect(excerpt.count <= ResponseTriage.excerptLength + 1, sourceLocation: sourceLocation)
  #expect(!excerpt.contains(secret), "excerpt leaks the key: \(excerpt)", sourceLocation: sourceLocation)
  #expect(excerpt.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 || $0 == "…" }, sourceLocation: sourceLocation)
}
