import ControlAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@testable import ControlAPI

@Suite("Health and metrics")
struct HealthAndMetricsTests {
  @Test("/healthz answers while /readyz needs a usable provider")
  func health() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let alive = try await client.get("/healthz")
      #expect(alive.status == .ok)
      #expect(alive.object["status"] as? String == "ok")
      let ready = try await client.get("/readyz")
      #expect(ready.status == .ok)
      #expect(ready.object["usable_providers"] as? Int == 1)
      try harness.core.setProviderEnabled("alpha", false)
      let notReady = try await client.get("/readyz")
      #expect(notReady.status == .serviceUnavailable)
      #expect(notReady.object["ready"] as? Bool == false)
    }
  }

  @Test("/metrics has route latency, breaker state, cache counters, in-flight and process use, each with HELP")
  func metrics() async throws {
    let harness = APIHarness(providerID: "metrics-probe")
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      _ = try await client.get("/v1/quotes/AAPL")
      _ = try await client.get("/v1/quotes/ZZZZ")
      try harness.core.tripProvider("metrics-probe")
      let response = try await client.get("/metrics")
      #expect(response.status == .ok)
      #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
      let text = response.text
      let lines = text.split(separator: "\n")
      let families: [String] = [
        "lianyaohu_http_requests_total", "lianyaohu_http_request_duration_seconds", "lianyaohu_http_requests_in_flight",
        "lianyaohu_quote_requests_total", "lianyaohu_upstream_requests_total", "lianyaohu_upstream_errors_total",
        "lianyaohu_upstream_latency_seconds", "lianyaohu_upstream_in_flight", "lianyaohu_cache_hits_total",
        "lianyaohu_cache_misses_total", "lianyaohu_cache_hit_ratio", "lianyaohu_provider_breaker_state", "lianyaohu_provider_up",
        "process_resident_memory_bytes", "process_cpu_seconds_total",
      ]
      let typed = Set(
        lines.filter { $0.hasPrefix("# TYPE ") }.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
      let helped = Set(
        lines.filter { $0.hasPrefix("# HELP ") }.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
      #expect(Set(families).subtracting(typed).isEmpty, "missing: \(Set(families).subtracting(typed))")
      #expect(typed == helped)
      #expect(text.contains(#"route="/v1/quotes/{symbol}""#))
      let breakerLines = lines.filter { $0.hasPrefix("lianyaohu_provider_breaker_state{") && $0.contains(#""metrics-probe""#) }
      #expect(breakerLines.count == BreakerState.allCases.count)
      let current = breakerLines.filter { $0.split(separator: " ").last.flatMap { Double($0) } == 1 }
      #expect(current.count == 1)
      #expect(current.first?.contains(#"state="forced-open""#) == true)
      let errorLine = lines.first { $0.hasPrefix("lianyaohu_upstream_errors_total{") && $0.contains(#""metrics-probe""#) }
      #expect(errorLine?.contains(#"class="unknown_symbol""#) == true)
      let resident = lines.first { $0.hasPrefix("process_resident_memory_bytes ") }
      #expect((resident?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 1_000_000)
    }
  }

  @Test("a budget counted locally shows in /metrics and /v1/providers")
  func localBudget() async throws {
    let harness = APIHarness(
      providerID: "budget-probe", limits: ProviderLimitsConfiguration(requestsPerMinute: 60),
      budget: FixedBudget(BudgetDecision(mode: .localShare(instances: 3, reason: "redis unreachable"))))
    try await harness.test { client in
      #expect(try await client.get("/v1/quotes/AAPL").status == .ok)
      let metrics = try await client.get("/metrics").text
      let share = metrics.split(separator: "\n")
        .first { $0.hasPrefix(#"lianyaohu_provider_budget_local_share{provider="budget-probe"} "#) }
      #expect(share?.split(separator: " ").last.flatMap { Double($0) } == 3)
      #expect(metrics.contains("# HELP lianyaohu_provider_budget_local_share "))
      let provider = try await client.get("/v1/providers/budget-probe").object
      let budget = provider["budget"] as? [String: Any]
      #expect(budget?["scope"] as? String == "local_share")
      #expect(budget?["instances"] as? Int == 3)
      #expect(budget?["summary"] as? String == "budget: local share 1/3 (redis unreachable)")
    }
  }

  @Test("HELP lines are added once per family, before its TYPE line")
  func help() {
    let exposition = Array(
      """
      # TYPE lianyaohu_refreshes_total counter
      lianyaohu_refreshes_total 3
      # HELP process_threads Operating system threads.
      # TYPE process_threads gauge
      process_threads 4

      """.utf8)
    let text = String(decoding: MetricsExporter.addingHelp(to: exposition), as: UTF8.self)
    #expect(
      text == """
        # HELP lianyaohu_refreshes_total Background refreshes started.
        # TYPE lianyaohu_refreshes_total counter
        lianyaohu_refreshes_total 3
        # HELP process_threads Operating system threads.
        # TYPE process_threads gauge
        process_threads 4

        """)
  }

  @Test("/proc/self/stat is parsed from after the command name, which may hold spaces and parentheses")
  func processStatistics() {
    let stat = "4242 (lian yao) hu) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 7 0 1000 123456789 2048"
    let statistics = ProcessStatistics.parse(stat: stat, ticksPerSecond: 100, pageSize: 4096, bootTime: 1_700_000_000)
    #expect(statistics.cpuSeconds == 3)
    #expect(statistics.threads == 7)
    #expect(statistics.startTimeSeconds == 1_700_000_010)
    #expect(statistics.virtualBytes == 123_456_789)
    #expect(statistics.residentBytes == 2048 * 4096)
    #expect(ProcessStatistics.bootTime(fromProcStat: "cpu 1 2 3\nbtime 1700000000\nprocesses 9\n") == 1_700_000_000)
    #expect(ProcessStatistics.parse(stat: "garbage", ticksPerSecond: 100, pageSize: 4096, bootTime: nil) == ProcessStatistics())
  }

  @Test("a provider answering impossible values shows as bad_data in /metrics and its breaker opens")
  func badDataIsCounted() async throws {
    let clock = ManualClock()
    let liar = ScriptedProvider(id: "bad-data-probe") { symbols in
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map {
          ($0, .success(Quote(symbol: $0, price: -1, asOf: now, receivedAt: now, source: "bad-data-probe", isSimulated: false)))
        })
    }
    var breaker = CircuitBreakerConfiguration()
    breaker.slidingWindow = .countBased(size: 10)
    breaker.minimumNumberOfCalls = 5
    let core = MarketDataCore(providers: [ProviderRegistration(liar, breaker: breaker)], clock: clock)
    let router = buildControlAPIRouter(core: core, configuration: APIConfiguration(metricsRegistry: sharedRegistry))
    try await Application(router: router).test(.router) { client in
      for index in 0..<6 {
        let response = try await client.get("/v1/quotes/BD\(index)")
        #expect(response.status == (index < 5 ? .badGateway : .serviceUnavailable))
      }
      let text = try await client.get("/metrics").text
      let line = text.split(separator: "\n").first {
        $0.hasPrefix("lianyaohu_upstream_errors_total{") && $0.contains(#""bad-data-probe""#) && $0.contains(#"class="bad_data""#)
      }
      #expect(line?.hasSuffix(" 5") == true, "\(String(describing: line))")
      #expect(text.contains(#"lianyaohu_provider_breaker_state{provider="bad-data-probe",state="open"} 1"#))
    }
  }
}

/// A cluster budget that always decides the same.
private struct FixedBudget: ClusterBudget {
  let decision: BudgetDecision
  init(_ decision: BudgetDecision) { self.decision = decision }
  func spend(_ provider: ProviderID, limits: BudgetLimits) async -> BudgetDecision { decision }
  var mode: BudgetMode { decision.mode }
}
