import ControlAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@testable import ControlAPI

/// One parsed Server-Sent Events frame.
struct Frame {
  var event: String
  var data: [String: Any]
}

func frames(_ text: String) -> [Frame] {
  text.components(separatedBy: "\n\n").compactMap { block in
    var event: String?
    var data: [String: Any]?
    for line in block.split(separator: "\n") {
      if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
      if line.hasPrefix("data: ") {
        data = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any]
      }
    }
    guard let event, let data else { return nil }
    return Frame(event: event, data: data)
  }
}

extension APIHarness {
  /// Waits until the stream under test has subscribed to the core's events.
  func waitForSubscriber() async {
    await eventually { core.status().eventSubscribers > 0 }
  }
}

@Suite("Live stream")
struct StreamTests {
  @Test("a snapshot first, then quotes, events and the provider state that changed")
  func snapshotThenDeltas() async throws {
    let harness = APIHarness()
    _ = try await harness.core.quote(Symbol("AAPL"))
    try await harness.test { client in
      async let response = client.get("/v1/stream?max_events=4")
      await harness.waitForSubscriber()
      _ = try await harness.core.quote(Symbol("MSFT"))
      try harness.core.tripProvider("alpha")
      let stream = try await response
      #expect(stream.status == .ok)
      #expect(stream.headers[.contentType] == "text/event-stream; charset=utf-8")
      #expect(stream.headers[.cacheControl] == "no-cache")
      #expect(stream.text.hasPrefix("retry: 2000\n\nid: 1\nevent: snapshot\n"))
      let parsed = frames(stream.text)
      // The route subscribes before it builds the snapshot, so nothing is lost; a slow server
      // (ThreadSanitizer) may build it after the trip, and then the snapshot already shows
      // the breaker forced open and no providers frame follows the operator's event.
      #expect(Array(parsed.map(\.event).prefix(3)) == ["snapshot", "quote", "event"])
      #expect(["providers", "event"].contains(parsed.last?.event ?? ""))
      let snapshot = parsed.first?.data ?? [:]
      let lu = (snapshot["immortals"] as? [[String: Any]])?.first
      let aapl = (lu?["symbols"] as? [[String: Any]])?.first
      #expect((aapl?["quote"] as? [String: Any])?["price"] as? Double == 100)
      #expect((snapshot["providers"] as? [[String: Any]])?.count == 1)
      #expect(snapshot["cache"] is [String: Any])
      #expect(parsed.dropFirst().first?.data["symbol"] as? String == "MSFT")
      #expect(parsed.dropFirst(2).first?.data["kind"] as? String == "operator_action")
      let latest = parsed.last { $0.event == "providers" }?.data ?? snapshot
      let providers = latest["providers"] as? [[String: Any]]
      #expect((providers?.first?["breaker"] as? [String: Any])?["state"] as? String == "forced-open")
    }
    #expect(harness.core.status().eventSubscribers == 0)
  }

  @Test("symbols= filters quote updates; watchlist edits arrive as watchlist events")
  func filterAndWatchlist() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      async let response = client.get("/v1/stream?max_events=3&symbols=NVDA")
      await harness.waitForSubscriber()
      _ = try await harness.core.quote(Symbol("MSFT"))
      _ = try await harness.core.quote(Symbol("NVDA"))
      try harness.core.editWatchlist(.luDongbin, .toggle(Symbol("AAPL")))
      let parsed = frames(try await response.text)
      #expect(parsed.map(\.event) == ["snapshot", "quote", "watchlist"])
      #expect(parsed.dropFirst().first?.data["symbol"] as? String == "NVDA")
      #expect(parsed.last?.data["id"] as? String == "lu-dongbin")
    }
  }

  @Test("a heartbeat comment after a quiet spell")
  func heartbeat() async throws {
    let harness = APIHarness {
      $0.stream.heartbeatInterval = .seconds(15)
      $0.stream.statusInterval = .seconds(15)
    }
    try await harness.test { client in
      async let response = client.get("/v1/stream?max_events=2")
      await harness.waitForSubscriber()
      await harness.clock.waitForSleepers(1)
      harness.clock.advance(by: .seconds(15))
      // The ticker queued its tick once it sleeps again; the event below queues after it.
      await harness.clock.waitForSleepers(1)
      harness.core.invalidate(.all)
      let text = try await response.text
      #expect(text.contains("\n: heartbeat\n\n"))
      #expect(frames(text).map(\.event) == ["snapshot", "event"])
    }
  }

  @Test("503 when every stream slot is taken; 400 for bad options")
  func limits() async throws {
    let harness = APIHarness { $0.stream.maximumClients = 0 }
    try await harness.test { client in
      let full = try await client.get("/v1/stream")
      #expect(full.status == .serviceUnavailable)
      #expect(full.errorClass == "too_many_streams")
      #expect(full.headers[.retryAfter] == "5")
      for uri in ["/v1/stream?max_events=0", "/v1/stream?max_events=x", "/v1/stream?symbols=A%20B"] {
        let response = try await client.get(uri)
        #expect(response.status == .badRequest, "\(uri)")
      }
    }
  }

  @Test("a client that falls behind is dropped, not buffered without bound")
  func slowClient() async {
    let queue = StreamQueue(limit: 3)
    let event = MarketEvent(time: Date(timeIntervalSince1970: 0), kind: .operatorAction("x"))
    #expect(queue.offer(.event(event)))
    #expect(queue.offer(.event(event)))
    #expect(queue.offer(.tick))
    #expect(!queue.offer(.event(event)))
    #expect(queue.didOverflow)
    #expect(!queue.offer(.tick))
    var delivered = 0
    for await _ in queue.items { delivered += 1 }
    #expect(delivered == 3)
  }

  @Test("stream slots come back when their holders go")
  func slots() {
    let limiter = StreamLimiter(maximum: 2)
    var first: StreamLimiter.Slot? = limiter.acquire()
    let second = limiter.acquire()
    #expect(first != nil && second != nil)
    #expect(limiter.acquire() == nil)
    first = nil
    #expect(limiter.openCount == 1)
    #expect(limiter.acquire() != nil)
  }
}
