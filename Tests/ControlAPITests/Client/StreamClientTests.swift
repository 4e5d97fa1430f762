import ControlAPIClient
import Foundation
import Hummingbird
import HummingbirdTesting
import MarketCore
import Testing

@testable import ControlAPI

/// The client half of the live stream: what the server sends decodes into the server's own body
/// types and back into the core's values.
@Suite("Live stream client")
struct StreamClientTests {
  @Test("a real stream decodes: snapshot, quote, event and providers, into core values")
  func decodesRealStream() async throws {
    let harness = APIHarness()
    _ = try await harness.core.quote(Symbol("AAPL"))
    try await harness.test { client in
      async let response = client.get("/v1/stream?max_events=4")
      await harness.waitForSubscriber()
      _ = try await harness.core.quote(Symbol("MSFT"))
      try harness.core.tripProvider("alpha")
      var parser = ServerSentEventParser()
      let items = parser.parse(Array(try await response.body.readableBytesView))
      let messages = try items.compactMap { item throws -> StreamMessage? in
        guard case .event(let event) = item else { return nil }
        return try StreamMessage(event)
      }
      #expect(messages.count == 4)
      let now = Date()
      guard case .snapshot(let snapshot)? = messages.first else {
        Issue.record("no snapshot first")
        return
      }
      #expect(snapshot.immortals.count == 8)
      #expect(snapshot.quoteTimeToLive == harness.core.configuration.quotePolicy.timeToLive)
      let lu = try #require(snapshot.immortals.first)
      let (id, list) = try lu.watchlist()
      #expect(id == .luDongbin)
      #expect(list.symbols == [Symbol("AAPL"), Symbol("NVDA")])
      let aapl = try #require(try lu.quotes(receivedLocallyAt: now).first)
      #expect(aapl.symbol == Symbol("AAPL"))
      #expect(aapl.quote.price == 100)
      #expect(aapl.source == "alpha")
      #expect(aapl.quote.isSimulated == false)
      #expect(aapl.quote.receivedAt <= now)
      #expect(try snapshot.providers.map { (body) throws(ClientDecodingError) in try body.status() }.map(\.id) == ["alpha"])
      #expect(snapshot.cache.statistics.first?.tier == "memory")
      if case .quote(let quote) = messages[1] {
        #expect(try quote.servedQuote(receivedLocallyAt: now).symbol == Symbol("MSFT"))
      } else {
        Issue.record("second message is not a quote")
      }
      if case .event(let event) = messages[2] {
        #expect(event.kind == "operator_action")
        #expect(event.summary.contains("alpha"))
      } else {
        Issue.record("third message is not an event")
      }
      // The route subscribes before it builds the snapshot; a slow server may build it after
      // the trip, and then the snapshot carries the forced-open breaker instead of a
      // providers message after the event.
      let statuses: [ProviderStatus]
      if case .providers(let providers) = messages[3] {
        statuses = try providers.statuses()
      } else if case .event = messages[3] {
        statuses = try snapshot.providers.map { (body) throws(ClientDecodingError) in try body.status() }
      } else {
        Issue.record("fourth message is neither providers nor an event")
        return
      }
      let status = try #require(statuses.first)
      #expect(status.breaker.state == .forcedOpen)
      #expect(!status.isUp)
    }
  }

  @Test("a quote's age is measured on the client's clock, and its flags come through")
  func quoteAgeAndFlags() throws {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let json = """
      {"symbol":"BTC-USD","price":64000.5,"as_of":"2027-01-15T08:00:00Z","received_at":"2020-01-01T00:00:00Z",
      "source":"sim-beta","age_seconds":2.5,"stale":true,"simulated":true,"origin":"lastKnown"}
      """
    let body = try ClientJSON.decode(QuoteBody.self, from: Data(json.utf8))
    let served = try body.servedQuote(receivedLocallyAt: now)
    #expect(served.quote.receivedAt == now.addingTimeInterval(-2.5))
    #expect(served.isStale)
    #expect(served.quote.isSimulated)
    #expect(served.origin == .lastKnown)
    #expect(served.source == "sim-beta")
  }

  @Test("bodies a client cannot use are errors, not crashes")
  func refusals() throws {
    #expect(throws: ClientDecodingError.self) { try StreamMessage(.init(type: "quote", data: "{not json")) }
    let badSymbol =
      #"{"symbol":"A B","price":1,"as_of":"2027-01-15T08:00:00Z","received_at":"2027-01-15T08:00:00Z","source":"x","age_seconds":0,"stale":false,"simulated":false,"origin":"memory"}"#
    let body = try ClientJSON.decode(QuoteBody.self, from: Data(badSymbol.utf8))
    #expect(throws: ClientDecodingError.self) { try body.servedQuote(receivedLocallyAt: Date()) }
    if case .unknown(let name) = try StreamMessage(.init(type: "gossip", data: "{}")) {
      #expect(name == "gossip")
    } else {
      Issue.record("an unknown event name should be .unknown")
    }
  }

  @Test("every event name the stream sends is one the client knows")
  func eventNames() {
    #expect(Set(StreamEventName.allCases.map(\.rawValue)) == ["snapshot", "quote", "watchlist", "event", "providers", "cache"])
  }
}
