import AsyncHTTPClient
import Foundation
import Logging
import MarketCore
import MarketTesting
import TerminalUI
import Testing

@testable import ControlAPIClient

/// `dash --connect` reading a stream no real server would send: whatever arrives, the
/// dashboard's mirror skips what it cannot use and keeps going.
@Suite("Hostile live stream")
struct RemoteStreamTests {
  /// A snapshot with one immortal watching TSLA, in the API's own shape.
  static let snapshot = """
    {"immortals":[{"id":"lu-dongbin","name":"吕洞宾","pinyin":"Lü Dongbin","trigram":"乾","trigram_symbol":"☰",\
    "stance":"bull","symbols":[{"symbol":"TSLA","active":true}]}],"providers":[],\
    "cache":{"tiers":[],"refreshes_in_flight":0},"events":[]}
    """

  /// A quote whose symbol is not a symbol: decodes as JSON, fails as a quote.
  static let badQuote = """
    {"symbol":"A B","price":1,"as_of":"2027-01-15T08:00:00Z","received_at":"2027-01-15T08:00:00Z","source":"x",\
    "age_seconds":0,"stale":false,"simulated":false,"origin":"memory"}
    """

  @Test("garbage, unreadable, unknown and oversized events are skipped; the good ones around them apply")
  func hostileEvents() async throws {
    var stream = ""
    stream += "event: quote\ndata: {\"symbol\":\"AAPL\"}\n\n"  // before any snapshot: ignored
    stream += "\u{0}\u{7F}garbage without a colon\r\n\n"
    stream += "event: snapshot\ndata: {not json\n\n"
    stream += "event: gossip\ndata: {}\n\n"
    stream += "event: providers\ndata: " + String(repeating: "x", count: 4096) + "\n\n"
    stream += "retry: soon\n: a comment\n\n"
    stream += "event: snapshot\nid: 1\ndata: \(Self.snapshot)\n\n"
    stream += "event: quote\ndata: \(Self.badQuote)\n\n"
    stream += "event: watchlist\ndata: [1, 2, 3]\n\n"
    stream += "event: event\ndata: {\"kind\": 7}\n\n"
    let body = stream
    let upstream = try await FakeUpstream.start { request in
      request.path == "/v1/stream"
        ? .text(body, contentType: "text/event-stream")
        : .json(#"{"error":{"class":"no_such_route","message":"no"}}"#, status: 404)
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    var options = HTTPDashboardDataSource.Options()
    options.maximumEventBytes = 1024
    // One pass over the stream: the retry after it ends is far away.
    options.backoff = ReconnectBackoff(initial: .seconds(600), maximum: .seconds(600), jitter: 0)
    let source = HTTPDashboardDataSource(
      endpoint: try RemoteEndpoint(upstream.baseURL), token: nil, client: client, options: options,
      logger: Logger(label: "test.remote-stream"))
    let running = Task { try await source.run() }

    var seen = await source.snapshot()
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
      seen = await source.snapshot()
      if case .disconnected = seen.connection { break }
      try await Task.sleep(for: .milliseconds(20))
    }
    running.cancel()
    _ = await running.result
    try await client.shutdown()
    try await upstream.shutdown()

    guard case .disconnected(_, let reason) = seen.connection else {
      Issue.record("the stream never ended: \(seen.connection)")
      return
    }
    #expect(reason.hasPrefix("the server ended the stream"), "\(reason)")
    #expect(seen.watchlists[.luDongbin]?.symbols == [Symbol("TSLA")], "the good snapshot was applied")
    #expect(seen.quotes.isEmpty, "no quote from the garbage")
  }

  @Test("a stream the server refuses is a reason on screen, and the dashboard retries")
  func refusedStream() async throws {
    let upstream = try await FakeUpstream.start { _ in
      .json(#"{"error":{"class":"too_many_streams","message":"64 live streams are open; try again later"}}"#, status: 503)
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    var options = HTTPDashboardDataSource.Options()
    options.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(50), jitter: 0)
    let source = HTTPDashboardDataSource(
      endpoint: try RemoteEndpoint(upstream.baseURL), token: nil, client: client, options: options,
      logger: Logger(label: "test.remote-stream"))
    let running = Task { try await source.run() }
    let deadline = ContinuousClock.now + .seconds(20)
    var seen = await source.snapshot()
    while ContinuousClock.now < deadline, upstream.requests.count < 3 {
      seen = await source.snapshot()
      try await Task.sleep(for: .milliseconds(20))
    }
    seen = await source.snapshot()
    running.cancel()
    _ = await running.result
    try await client.shutdown()
    try await upstream.shutdown()

    #expect(upstream.requests.count >= 3, "it kept retrying")
    guard case .disconnected(_, let reason) = seen.connection else {
      Issue.record("not disconnected: \(seen.connection)")
      return
    }
    #expect(reason.hasPrefix("64 live streams are open; try again later"), "\(reason)")
  }
}
