import AsyncHTTPClient
import ControlAPI
import Foundation
import Logging
import MarketCore
import TerminalUI
import Testing

@testable import ControlAPIClient

@Suite("Dashboard attached over HTTP")
struct RemoteDashboardTests {
  @Test("backoff doubles from the initial delay and stops at the cap")
  func backoffDoublesAndCaps() {
    var backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(10), jitter: 0)
    var random = SystemRandomNumberGenerator()
    let delays = (0..<8).map { _ in backoff.nextDelay(using: &random) }
    #expect(
      delays == [
        .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), .seconds(10),
      ])
    #expect(backoff.failures == 8)
    backoff.reset()
    #expect(backoff.nextDelay(using: &random) == .milliseconds(500))
  }

  @Test("jitter spreads each delay within its bounds and never past the cap")
  func backoffJitter() {
    var random = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(5), jitter: 0.2)
      let first = backoff.nextDelay(using: &random)
      #expect(first >= .milliseconds(800) && first <= .milliseconds(1200))
      for _ in 0..<10 { #expect(backoff.nextDelay(using: &random) <= .seconds(5)) }
    }
  }

  @Test("--connect takes an http(s) URL and shows host:port")
  func endpoints() throws {
    let plain = try RemoteEndpoint("http://127.0.0.1:8686/")
    #expect(plain.base == "http://127.0.0.1:8686")
    #expect(plain.description == "127.0.0.1:8686")
    #expect(plain.url("/v1/stream") == "http://127.0.0.1:8686/v1/stream")
    #expect(try RemoteEndpoint("http://desk.local").description == "desk.local:80")
    #expect(
      try RemoteEndpoint("https://desk.example/lianyaohu").url("/v1/cache") == "https://desk.example:443/lianyaohu/v1/cache")
    #expect(try RemoteEndpoint("http://[::1]:9000").description == "[::1]:9000")
    for bad in [
      "127.0.0.1:8686", "ftp://host", "http://", "http://user:secret@host:1", "http://host:1/?x=1", "http://host:70000",
    ] {
      #expect(throws: RemoteEndpointError.self, "\(bad)") { try RemoteEndpoint(bad) }
    }
  }

  @Test("operator commands map to the control routes")
  func commandRoutes() throws {
    let trip = try RemoteCommand(.tripProvider("sim-alpha"))
    #expect(trip.method == .post)
    #expect(trip.path == "/v1/providers/sim-alpha/trip")
    #expect(trip.needsToken)
    #expect(try RemoteCommand(.resetProvider("sim-alpha")).path == "/v1/providers/sim-alpha/reset")
    #expect(try RemoteCommand(.setProviderEnabled("sim-beta", false)).path == "/v1/providers/sim-beta/disable")
    #expect(try RemoteCommand(.setProviderEnabled("sim-beta", true)).path == "/v1/providers/sim-beta/enable")
    let clear = try RemoteCommand(.clearCache)
    #expect(clear.method == .delete)
    #expect(clear.path == "/v1/cache")

    let toggle = try RemoteCommand(.toggleSymbol(.hanZhongli, Symbol("^VIX")))
    #expect(toggle.method == .patch)
    #expect(toggle.path == "/v1/immortals/han-zhongli")
    let body = try #require(toggle.body)
    #expect(String(decoding: body, as: UTF8.self) == #"{"edits":[{"op":"toggle","symbol":"^VIX"}]}"#)
    let add = try RemoteCommand(.addSymbol(.luDongbin, Symbol("EURUSD=X")))
    #expect(String(decoding: add.body ?? Data(), as: UTF8.self) == #"{"edits":[{"op":"add","symbol":"EURUSD=X"}]}"#)
    #expect(RemoteCommand.probe(Symbol("^VIX")).path == "/v1/quotes/%5EVIX")
    #expect(!RemoteCommand.probe(Symbol("AAPL")).needsToken)
  }

  @Test("answers become the operator's confirmation or the server's reason")
  func answers() {
    let forced = Data(#"{"breaker":{"state":"forced-open"}}"#.utf8)
    #expect(RemoteCommand.confirmation(.tripProvider("sim-alpha"), body: forced).hasPrefix("sim-alpha tripped"))
    #expect(
      RemoteCommand.confirmation(.clearCache, body: Data(#"{"scope":"all","removed":12}"#.utf8))
        == "cache cleared: 12 entries removed")
    let unauthorized = Data(#"{"error":{"class":"invalid_token","message":"the bearer token is missing or wrong"}}"#.utf8)
    let refusal = RemoteCommand.refusal(status: 401, body: unauthorized)
    #expect(refusal.hasPrefix("the bearer token is missing or wrong"))
    #expect(refusal.contains("LIANYAOHU_API_TOKEN"))
    #expect(RemoteCommand.refusal(status: 502, body: Data("<html>".utf8)) == "HTTP 502")
  }

  @Test("remote events land in the events pane under their own kind")
  func eventKinds() {
    #expect(HTTPDashboardDataSource.lineKind("breaker_transition") == .breaker)
    #expect(HTTPDashboardDataSource.lineKind("operator_action") == .operator)
    #expect(HTTPDashboardDataSource.lineKind("provider_error") == .error)
    #expect(HTTPDashboardDataSource.lineKind("cache_invalidated") == .cache)
  }

  @Test("failures read as reasons, never as the request")
  func failureWords() {
    #expect(HTTPDashboardDataSource.describe(StreamFailure("too many streams (HTTP 503)")) == "too many streams (HTTP 503)")
    struct Refused: Error, CustomStringConvertible {
      var description: String { "connect(descriptor:addr:size:): Connection refused (errno: 111)" }
    }
    #expect(HTTPDashboardDataSource.describe(Refused()) == "connection refused")
  }

  @Test("a remote dashboard ages quotes into stale by the server's TTL, not by its own default")
  func remoteTimeToLive() async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let source = HTTPDashboardDataSource(
      endpoint: try RemoteEndpoint("http://127.0.0.1:9"), token: nil, client: client, logger: Logger(label: "test"))
    let older = #"{"immortals":[],"providers":[],"cache":{"tiers":[],"refreshes_in_flight":0},"events":[]}"#
    source.apply(try StreamMessage(ServerSentEventParser.Event(type: "snapshot", data: older)))
    // A server that does not say keeps the dashboard's default.
    #expect(await source.snapshot().quoteTimeToLive == DashboardSnapshot(time: Date()).quoteTimeToLive)
    let current = older.replacingOccurrences(of: #""events":[]"#, with: #""events":[],"quote_ttl_seconds":5"#)
    source.apply(try StreamMessage(ServerSentEventParser.Event(type: "snapshot", data: current)))
    #expect(await source.snapshot().quoteTimeToLive == .seconds(5))
    try await client.shutdown()
  }
}
