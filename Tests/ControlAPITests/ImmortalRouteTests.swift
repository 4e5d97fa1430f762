import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@Suite("Immortal routes")
struct ImmortalRouteTests {
  @Test("GET /v1/immortals lists all eight with active flags and current quotes")
  func list() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/immortals")
      #expect(response.status == .ok)
      let immortals = response.object["immortals"] as? [[String: Any]] ?? []
      #expect(immortals.count == 8)
      #expect(immortals.first?["id"] as? String == "lu-dongbin")
      #expect(immortals.first?["name"] as? String == "吕洞宾")
      let symbols = immortals.first?["symbols"] as? [[String: Any]] ?? []
      #expect(symbols.compactMap { $0["symbol"] as? String } == ["AAPL", "NVDA"])
      #expect(symbols.allSatisfy { $0["active"] as? Bool == true })
      #expect((symbols.first?["quote"] as? [String: Any])?["price"] as? Double == 100)
    }
  }

  @Test("GET /v1/immortals/{id}; 404 for an unknown immortal")
  func single() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/immortals/he-xiangu")
      #expect(response.status == .ok)
      #expect(response.object["pinyin"] as? String == "He Xiangu")
      let unknown = try await client.get("/v1/immortals/sun-wukong")
      #expect(unknown.status == .notFound)
      #expect(unknown.errorClass == "unknown_immortal")
    }
  }

  @Test("PATCH toggles, adds and removes, all or none, and announces the change")
  func patch() async throws {
    let harness = APIHarness()
    let updates = harness.core.updates()
    try await harness.test { client in
      let response = try await client.send(
        .patch, "/v1/immortals/lu-dongbin",
        json: #"{"edits":[{"op":"toggle","symbol":"AAPL"},{"op":"add","symbol":"amd"},{"op":"remove","symbol":"NVDA"}]}"#)
      #expect(response.status == .ok)
      let symbols = response.object["symbols"] as? [[String: Any]] ?? []
      #expect(symbols.compactMap { $0["symbol"] as? String } == ["AAPL", "AMD"])
      #expect(symbols.compactMap { $0["active"] as? Bool } == [false, true])

      // A failing edit leaves the list as it was.
      let conflict = try await client.send(
        .patch, "/v1/immortals/lu-dongbin", json: #"{"edits":[{"op":"add","symbol":"TSLA"},{"op":"remove","symbol":"NVDA"}]}"#)
      #expect(conflict.status == .conflict)
      #expect(conflict.errorClass == "not_on_watchlist")
      #expect(harness.core.watchlist(.luDongbin).symbols == [Symbol("AAPL"), Symbol("AMD")])

      let duplicate = try await client.send(.patch, "/v1/immortals/lu-dongbin", json: #"{"edits":[{"op":"add","symbol":"AMD"}]}"#)
      #expect(duplicate.errorClass == "already_on_watchlist")
      let deactivate = try await client.send(
        .patch, "/v1/immortals/lu-dongbin",
        json: #"{"edits":[{"op":"deactivate","symbol":"AMD"},{"op":"activate","symbol":"AAPL"}]}"#)
      #expect(deactivate.status == .ok)
      #expect(harness.core.watchlist(.luDongbin).activeSymbols == [Symbol("AAPL")])
    }
    var iterator = updates.makeAsyncIterator()
    let event = await iterator.next()
    guard case .watchlistChanged(.luDongbin, let list)? = event?.kind else {
      Issue.record("expected a watchlist event, got \(String(describing: event))")
      return
    }
    #expect(list.symbols == [Symbol("AAPL"), Symbol("AMD")])
  }

  @Test("PUT replaces the whole list; 409 past the maximum")
  func put() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.send(
        .put, "/v1/immortals/li-tieguai", json: #"{"symbols":[{"symbol":"GME"},{"symbol":"BA","active":false}]}"#)
      #expect(response.status == .ok)
      #expect(
        harness.core.watchlist(.liTieguai).entries == [
          .init(symbol: Symbol("GME")), .init(symbol: Symbol("BA"), isActive: false),
        ])
      let many = (0..<33).map { #"{"symbol":"S\#($0)"}"# }.joined(separator: ",")
      let full = try await client.send(.put, "/v1/immortals/li-tieguai", json: #"{"symbols":[\#(many)]}"#)
      #expect(full.status == .conflict)
      #expect(full.errorClass == "watchlist_full")
    }
  }

  @Test("bad bodies: not JSON, wrong shape, an invalid symbol, an unknown op, no edits")
  func badBodies() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      for body in ["not json", #"{"symbols":"AAPL"}"#, #"{"edits":[{"op":"explode","symbol":"AAPL"}]}"#, #"{"edits":[]}"#] {
        let response = try await client.send(.patch, "/v1/immortals/lu-dongbin", json: body)
        #expect(response.status == .badRequest, "\(body)")
        #expect(response.errorClass == "invalid_body", "\(body)")
      }
      let invalid = try await client.send(.patch, "/v1/immortals/lu-dongbin", json: #"{"edits":[{"op":"add","symbol":"A B"}]}"#)
      #expect(invalid.status == .badRequest)
      #expect(invalid.errorClass == "invalid_symbol")
      let empty = try await client.send(.put, "/v1/immortals/lu-dongbin")
      #expect(empty.errorClass == "invalid_body")
    }
  }
}
