import Foundation
import Logging
import MarketCore
import MarketProviders
import MarketTesting
import Metrics
import MetricsTestKit
import Synchronization
import Testing

/// The process-wide metrics backend of this test process (swift-metrics bootstraps once).
let capturedMetrics: TestMetrics = {
  let metrics = TestMetrics()
  SharedMetricsFactory.shared.add(metrics)
  return metrics
}()

/// A swift-log handler that keeps every line, metadata included, as text.
struct CapturingLogHandler: LogHandler {
  let lines: MarketTesting.Recorder<String>
  var metadata: Logger.Metadata = [:]
  var metadataProvider: Logger.MetadataProvider?
  var logLevel: Logger.Level = .trace

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let merged = metadata.merging(event.metadata ?? [:]) { $1 }
    lines.append("\(event.level) \(event.source) \(event.message) \(merged)")
  }
}

/// With real keys configured, every success and failure class goes through the core, and the
/// keys appear in no error, event, status, metric label, log line or printed request.
@Suite(.timeLimit(.minutes(1))) struct KeyLeakTests {
  /// `+`, `/` and `=` make the query form differ from the raw one, so both must be hidden.
  static let alphaVantageKey = "av+S3CRET/key=91b2e4"
  static let finnhubToken = "fh_S3CRET_7f3a9c0d"
  static let keys = [alphaVantageKey, finnhubToken]

  /// What a hostile or careless upstream does, each echoing whatever key it was sent.
  enum Scenario: CaseIterable {
    case unauthorized, rateLimited, serverError, htmlPage, garbageJSON, badGzip, reset, truncated, slowHeaders,
      oversized, success
  }

  /// Echoes of the key as an upstream might write them: raw, and as it came in the query.
  static func echo(_ request: FakeUpstream.Request) -> String {
    let raw = request.headers["x-finnhub-token"] ?? request.query["apikey"] ?? "none"
    return "key \(raw) in \(request.uri) token=\(raw)"
  }

  static func response(_ scenario: Scenario, _ request: FakeUpstream.Request) -> FakeUpstream.Response {
    let echo = Self.echo(request)
    let isFinnhub = request.path == "/api/v1/quote"
    switch scenario {
    case .unauthorized:
      return isFinnhub
        ? .json(#"{"error": "Invalid API key: \#(echo)"}"#, status: 401)
        : .json(#"{"Error Message": "the parameter apikey is invalid or missing: \#(echo)"}"#)
    case .rateLimited:
      var response = FakeUpstream.Response.text("API limit reached for \(echo)", status: 429)
      response.headers.append(("Retry-After", "5"))
      return response
    case .serverError: return .text("internal error handling \(echo)", status: 500)
    case .htmlPage: return .text("<html><body>\(echo)</body></html>", contentType: "text/html")
    case .garbageJSON: return .json(#"{"c": "\#(echo)", "Global Quote": "\#(echo)"}"#)
    case .badGzip:
      return FakeUpstream.Response(
        headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: Array(echo.utf8))
    case .reset: return .json("{}", faults: [.resetConnection])
    case .truncated: return .text(echo + String(repeating: " ", count: 200), faults: [.truncateBody(bytes: 40)])
    case .slowHeaders: return .text(echo, faults: [.delayHeaders(.seconds(2))])
    case .oversized: return .text(echo, faults: [.oversized(bytes: 8 << 20)])
    case .success:
      let path = isFinnhub ? "finnhub/quote_AAPL_2023-09-29.json" : "alpha_vantage/global_quote_MSFT_2018-10-05.json"
      return (try? FakeUpstream.Response.fixture(path)) ?? .text("fixture missing", status: 599)
    }
  }

  @Test func keysAppearNowhereAcrossEverySuccessAndFailure() async throws {
    let metrics = capturedMetrics
    let lines = MarketTesting.Recorder<String>()
    var logger = Logger(label: "lianyaohu.test.http") { _ in CapturingLogHandler(lines: lines) }
    logger.logLevel = .trace
    let scenario = Mutex(Scenario.success)
    try await withLoopback({ request in Self.response(scenario.withLock { $0 }, request) }) { upstream, transport in
      let clock = ManualClock()
      // A breaker that never opens, so every scenario reaches the upstream.
      let patient = CircuitBreakerConfiguration(slidingWindow: .countBased(size: 1000), minimumNumberOfCalls: 1000)
      /// Both keyed providers, each behind its own core. Only the slow-headers scenario uses
      /// the short timeout: on a loaded machine even a success can take longer than that.
      func keyed(timeout: Duration) -> [(provider: any QuoteProvider, core: MarketDataCore, symbol: String)] {
        let finnhub = HTTPQuoteProvider(
          adapter: FinnhubAdapter(token: Secret(Self.finnhubToken), origin: upstream.baseURL), transport: transport,
          timeout: timeout, clock: clock, logger: logger)
        let alphaVantage = HTTPQuoteProvider(
          adapter: AlphaVantageAdapter(apiKey: Secret(Self.alphaVantageKey), origin: upstream.baseURL),
          transport: transport, timeout: timeout, clock: clock, logger: logger)
        return [(finnhub, "AAPL"), (alphaVantage as any QuoteProvider, "MSFT")].map { provider, symbol in
          (provider, MarketDataCore(providers: [ProviderRegistration(provider, breaker: patient)], clock: clock), symbol)
        }
      }
      let unhurried = keyed(timeout: .generousTimeout)
      let hurried = keyed(timeout: .milliseconds(300))
      let events = MarketTesting.Recorder<String>()
      let listeners = (unhurried + hurried).map { keyed in
        Task {
          for await event in keyed.core.updates() { events.append(event.summary + " " + String(describing: event)) }
        }
      }
      var texts: [String] = []
      for current in Scenario.allCases {
        scenario.withLock { $0 = current }
        let providers = current == .slowHeaders ? hurried : unhurried
        for (_, core, symbol) in providers {
          core.invalidate(.all)
          // Past any Retry-After the previous scenario asked for.
          clock.advance(by: .seconds(60))
          do {
            let served = try await core.quote(text: symbol)
            texts.append(String(describing: served))
          } catch {
            texts += [String(describing: error), String(reflecting: error)]
            if current == .success { Issue.record("\(symbol) failed on success: \(error)") }
          }
        }
        // The providers themselves, outside the core: the errors they throw as they are.
        for (provider, _, symbol) in providers {
          do {
            _ = try await provider.quote(for: Symbol(validating: symbol))
          } catch {
            texts += [String(describing: error), String(reflecting: error)]
          }
        }
      }
      // Let the last events arrive, then stop listening.
      try await Task.sleep(for: .milliseconds(50))
      for listener in listeners { listener.cancel() }

      for (_, core, _) in unhurried + hurried {
        for status in core.providerStatuses() {
          texts += [String(describing: status), status.health.lastError ?? ""]
        }
      }
      for request in [
        try FinnhubAdapter(token: Secret(Self.finnhubToken), origin: upstream.baseURL).makeRequest(for: [Symbol("AAPL")]),
        try AlphaVantageAdapter(apiKey: Secret(Self.alphaVantageKey), origin: upstream.baseURL).makeRequest(
          for: [Symbol("MSFT")]),
      ] {
        texts += [request.redactedDescription, request.description, String(reflecting: request)]
        var dumped = ""
        dump(request, to: &dumped)
        texts.append(dumped)
      }
      let metricTexts =
        metrics.counters.map { "\($0.label) \($0.dimensions)" } + metrics.timers.map { "\($0.label) \($0.dimensions)" }
        + metrics.recorders.map { "\($0.label) \($0.dimensions)" }

      // Not vacuous: the keys did reach the upstream, and every channel captured something.
      #expect(upstream.requests.contains { $0.headers["x-finnhub-token"] == Self.finnhubToken })
      #expect(upstream.requests.contains { $0.query["apikey"] == Self.alphaVantageKey })
      #expect(events.count > 0)
      #expect(lines.count > 0)
      #expect(!metricTexts.isEmpty)
      #expect(texts.contains { $0.contains("rate limited") })
      #expect(texts.contains { $0.contains("malformed body") })
      #expect(texts.contains { $0.contains("timed out") })
      #expect(texts.contains { $0.contains("transport error") })

      let channels: [(String, [String])] = [
        ("errors, statuses and requests", texts), ("events", events.values), ("logs", lines.values),
        ("metric labels", metricTexts),
      ]
      for (channel, values) in channels {
        for value in values {
          for key in Self.keys + Self.keys.map(Self.queryEncoded) + Self.keys.map(Self.hex) {
            #expect(!value.contains(key), "\(channel) leak the key: \(value)")
          }
        }
      }
    }
  }

  /// A key as a hex dump shows it (NIO prints byte buffers that way).
  static func hex(_ key: String) -> String {
    key.utf8.map { byte in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }.joined()
  }

  /// How the transport writes a key into a query (`+` `/` `=` percent-encoded).
  static func queryEncoded(_ key: String) -> String {
    key.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "=", with: "%3D")
  }
}
