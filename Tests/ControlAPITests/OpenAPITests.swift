import ControlAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Keeps `openapi.yaml` true: every route the router holds is documented, every documented
/// operation is routed, and the documented error statuses are ones the API can answer.
@Suite("OpenAPI document")
struct OpenAPITests {
  static let document: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return (try? String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)) ?? ""
  }()

  /// `METHOD /path` for every operation under `paths:` (two-space paths, four-space methods).
  static var documentedOperations: Set<String> {
    var operations = Set<String>()
    var path: String?
    var inPaths = false
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
      if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
      guard inPaths else { continue }
      if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
        path = String(line.dropFirst(2).dropLast())
      } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
        let key = line.dropFirst(4).prefix { $0 != ":" }
        if ["get", "put", "post", "patch", "delete"].contains(key) { operations.insert("\(key.uppercased()) \(path)") }
      }
    }
    return operations
  }

  @Test("every routed operation is documented, and every documented one is routed")
  func routesMatch() throws {
    try #require(!Self.document.isEmpty, "openapi.yaml not found")
    let routed = Set(APIHarness().router.routes.map { "\($0.method.rawValue) \($0.path)" })
    let documented = Self.documentedOperations
    #expect(routed.subtracting(documented).isEmpty, "undocumented: \(routed.subtracting(documented).sorted())")
    #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    #expect(routed.count == 21)
  }

  @Test("the documented version is the API's version")
  func version() {
    #expect(Self.document.contains("\n  version: \(APIVersion.current)\n"))
  }

  @Test("every documented operation answers as documented when called plainly")
  func plainCalls() async throws {
    let harness = APIHarness()
    let calls: [(HTTPRequest.Method, String, String?)] = [
      (.get, "/healthz", nil), (.get, "/readyz", nil), (.get, "/metrics", nil), (.get, "/v1/quotes/AAPL", nil),
      (.get, "/v1/quotes?symbols=AAPL", nil), (.get, "/v1/immortals", nil), (.get, "/v1/immortals/lu-dongbin", nil),
      (.put, "/v1/immortals/lu-dongbin", #"{"symbols":[{"symbol":"AAPL"}]}"#),
      (.patch, "/v1/immortals/lu-dongbin", #"{"edits":[{"op":"toggle","symbol":"AAPL"}]}"#), (.get, "/v1/providers", nil),
      (.get, "/v1/providers/alpha", nil), (.post, "/v1/providers/alpha/trip", nil), (.post, "/v1/providers/alpha/reset", nil),
      (.post, "/v1/providers/alpha/disable", nil), (.post, "/v1/providers/alpha/enable", nil), (.get, "/v1/cache", nil),
      (.delete, "/v1/cache?prefix=v1:quote:", nil), (.delete, "/v1/cache/AAPL", nil), (.get, "/v1/stream?max_events=1", nil),
    ]
    try await harness.test { client in
      for (method, uri, body) in calls {
        let response = try await client.send(method, uri, json: body)
        #expect(response.status == .ok, "\(method) \(uri): \(response.text)")
      }
    }
  }
}
