import ControlAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@Suite("History and profile routes")
struct HistoryRouteTests {
  /// A core over the simulated market, on a manual clock (a Tuesday afternoon in New York).
  static func router(_ provider: (any MarketDataProvider)? = nil) -> (Hummingbird.Router<APIRequestContext>, ManualClock) {
    let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: 1_764_687_600))
    let provider =
      provider ?? SimulatedProvider(id: "sim", market: SimulatedMarket(seed: 5), clock: clock, behaviour: .perfect)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    return (buildControlAPIRouter(core: core, configuration: APIConfiguration(metricsRegistry: sharedRegistry)), clock)
  }

  static func lines(_ response: TestResponse) -> [String] {
    String(buffer: response.body).split(separator: "\n").map(String.init)
  }

  @Test("JSON, NDJSON and CSV carry the same bars, with source, age and the simulated mark")
  func threeFormsAgree() async throws {
    let (router, _) = Self.router()
    try await Application(router: router).test(.router) { client in
      let json = try await client.get("/v1/history/NVDA?interval=1d&range=6mo")
      #expect(json.status == .ok)
      let document = json.object
      #expect(document["source"] as? String == "sim")
      #expect(document["simulated"] as? Bool == true)
      #expect(document["age_seconds"] is Double)
      #expect(document["interval"] as? String == "1d")
      let bars = try #require(document["bars"] as? [[String: Any]])
      #expect(bars.count > 100)
      let times = bars.compactMap { $0["time"] as? String }
      #expect(times.count == bars.count && times.allSatisfy { $0.count == 10 })

      let ndjson = try await client.get("/v1/history/NVDA?interval=1d&range=6mo", headers: [.accept: "application/x-ndjson"])
      #expect(ndjson.headers[.contentType] == "application/x-ndjson")
      let lines = Self.lines(ndjson)
      let header = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
      #expect(header["symbol"] as? String == "NVDA")
      #expect(header["source"] as? String == "sim")
      let streamed = try lines.dropFirst().map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
      }
      #expect(streamed.count == bars.count)
      #expect(streamed.map { $0["time"] as? String } == bars.map { $0["time"] as? String })
      #expect(streamed.map { $0["close"] as? Double } == bars.map { $0["close"] as? Double })

      let csv = try await client.get("/v1/history/NVDA?interval=1d&range=6mo", headers: [.accept: "text/csv"])
      let rows = Self.lines(csv)
      #expect(rows.first == "time,open,high,low,close,adj_close,volume")
      #expect(rows.count == bars.count + 1)
      let closes = rows.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[4]) }
      #expect(closes == bars.map { $0["close"] as? Double })
    }
  }

  @Test("intraday bars are UTC instants; explicit dates are whole days")
  func timesAndDates() async throws {
    let (router, _) = Self.router()
    try await Application(router: router).test(.router) { client in
      let hourly = try await client.get("/v1/history/AAPL?interval=1h&range=5d").object
      let first = try #require((hourly["bars"] as? [[String: Any]])?.first?["time"] as? String)
      #expect(first.hasSuffix("Z") && first.contains("T"))
      let dated = try await client.get("/v1/history/AAPL?interval=1d&from=2025-11-03&to=2025-11-07").object
      let days = (dated["bars"] as? [[String: Any]])?.compactMap { $0["time"] as? String }
      #expect(days == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07"])
    }
  }

  @Test(
    "bad input is a 400 or 404 with a stable class",
    arguments: [
      ("/v1/history/AAPL?interval=7m", 400, "invalid_interval"),
      ("/v1/history/AAPL?range=3y", 400, "invalid_range"),
      ("/v1/history/AAPL?from=2025-03-01&to=2025-01-01", 400, "invalid_window"),
      ("/v1/history/AAPL?from=2025-03-01", 400, "invalid_window"),
      ("/v1/history/AAPL?from=2025-02-30&to=2025-03-01", 400, "invalid_date"),
      ("/v1/history/AAPL?interval=1m&from=1975-01-01&to=2025-01-01", 400, "window_too_long"),
      ("/v1/history/ZZZZZ?range=5d", 404, "unknown_symbol"),
      ("/v1/history/not%20valid?range=5d", 400, "invalid_symbol"),
      ("/v1/profiles/ZZZZZ", 404, "unknown_symbol"),
    ])
  func badInput(_ path: String, _ status: Int, _ errorClass: String) async throws {
    let (router, _) = Self.router()
    try await Application(router: router).test(.router) { client in
      let response = try await client.get(path)
      #expect(response.status.code == status)
      #expect(response.errorClass == errorClass)
      let streamed = try await client.get(path, headers: [.accept: "application/x-ndjson"])
      #expect(streamed.status.code == status, "the streamed form answers the same error before streaming")
    }
  }

  @Test("a profile carries its source, age and the simulated mark")
  func profile() async throws {
    let (router, _) = Self.router()
    try await Application(router: router).test(.router) { client in
      let profile = try await client.get("/v1/profiles/NVDA").object
      #expect(profile["name"] as? String == "NVIDIA Corporation")
      #expect(profile["sector"] as? String == "Technology")
      #expect(profile["source"] as? String == "sim")
      #expect(profile["simulated"] as? Bool == true)
      #expect((profile["market_cap"] as? Double ?? 0) > 0)
    }
  }
}
