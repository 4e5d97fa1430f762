import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@Suite("Provider routes")
struct ProviderRouteTests {
  @Test("GET /v1/providers shows health, breaker state and reason, and limits")
  func list() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      let providers = try await client.get("/v1/providers").object["providers"] as? [[String: Any]] ?? []
      #expect(providers.count == 1)
      let alpha = providers.first ?? [:]
      #expect(alpha["id"] as? String == "alpha")
      #expect(alpha["up"] as? Bool == true)
      #expect((alpha["breaker"] as? [String: Any])?["state"] as? String == "closed")
      #expect((alpha["health"] as? [String: Any])?["total_requests"] as? Int == 1)
      #expect((alpha["limits"] as? [String: Any])?["exhausted"] as? Bool == false)
    }
  }

  @Test("trip, reset, disable and enable change what GET shows; 404 for an unknown provider")
  func actions() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let tripped = try await client.send(.post, "/v1/providers/alpha/trip")
      #expect(tripped.status == .ok)
      let breaker = tripped.object["breaker"] as? [String: Any]
      #expect(breaker?["state"] as? String == "forced-open")
      #expect(breaker?["reason"] as? String == "tripped by operator")
      #expect(tripped.object["up"] as? Bool == false)
      let ready = try await client.get("/readyz")
      #expect(ready.status == .serviceUnavailable)

      let reset = try await client.send(.post, "/v1/providers/alpha/reset")
      #expect((reset.object["breaker"] as? [String: Any])?["state"] as? String == "closed")
      let disabled = try await client.send(.post, "/v1/providers/alpha/disable")
      #expect(disabled.object["enabled"] as? Bool == false)
      let single = try await client.get("/v1/providers/alpha")
      #expect(single.object["enabled"] as? Bool == false)
      let enabled = try await client.send(.post, "/v1/providers/alpha/enable")
      #expect(enabled.object["enabled"] as? Bool == true)

      for uri in [
        "/v1/providers/omega/trip", "/v1/providers/omega/reset", "/v1/providers/omega/disable", "/v1/providers/omega/enable",
      ] {
        let unknown = try await client.send(.post, uri)
        #expect(unknown.status == .notFound, "\(uri)")
        #expect(unknown.errorClass == "unknown_provider", "\(uri)")
      }
      let unknown = try await client.get("/v1/providers/omega")
      #expect(unknown.status == .notFound)
    }
    let actions = harness.core.recentEvents.compactMap { event -> String? in
      if case .operatorAction(let text) = event.kind { return text }
      return nil
    }
    #expect(actions.count == 4)
  }
}

@Suite("Cache routes")
struct CacheRouteTests {
  @Test("GET /v1/cache shows tier counters and the hit ratio")
  func statistics() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      _ = try await client.get("/v1/quotes/AAPL")
      let body = try await client.get("/v1/cache").object
      let memory = (body["tiers"] as? [[String: Any]])?.first ?? [:]
      #expect(memory["tier"] as? String == "memory")
      #expect(memory["entries"] as? Int == 1)
      #expect(memory["hits"] as? Int == 1)
      #expect(memory["misses"] as? Int == 1)
      #expect(memory["hit_ratio"] as? Double == 0.5)
    }
  }

  @Test("every tier shows in /v1/cache, /readyz and /metrics; one that is down says why and leaves the instance ready")
  func tiers() async throws {
    let redis = MemoryTier(name: "redis")
    let sqlite = MemoryTier(name: "sqlite", isShared: false)
    let harness = APIHarness(providerID: "tier-probe", tiers: [redis, sqlite])
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      redis.setDown("connection refused")
      let body = try await client.get("/v1/cache").object
      let tiers = body["tiers"] as? [[String: Any]] ?? []
      #expect(tiers.map { $0["tier"] as? String } == ["memory", "redis", "sqlite"])
      #expect(tiers[1]["unavailable"] as? String == "connection refused")
      #expect(tiers[2]["unavailable"] == nil)
      #expect(tiers[2]["insertions"] as? Int == 1)

      let ready = try await client.get("/readyz")
      #expect(ready.status == .ok)
      let readiness = ready.object["tiers"] as? [[String: Any]] ?? []
      #expect(readiness.map { $0["tier"] as? String } == ["redis", "sqlite"])
      #expect(readiness.map { $0["up"] as? Bool } == [false, true])
      #expect(readiness[0]["reason"] as? String == "connection refused")

      let metrics = try await client.get("/metrics").text
      #expect(metrics.contains("lianyaohu_cache_tier_up{tier=\"redis\"} 0"))
      #expect(metrics.contains("lianyaohu_cache_tier_up{tier=\"sqlite\"} 1"))
    }
  }

  @Test("DELETE by symbol, by prefix and all")
  func invalidation() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes?symbols=AAPL,AMD,MSFT,BTC-USD")
      let bySymbol = try await client.send(.delete, "/v1/cache/aapl")
      #expect(bySymbol.status == .ok)
      #expect(bySymbol.object["removed"] as? Int == 1)
      #expect(bySymbol.object["scope"] as? String == "symbol AAPL")
      #expect(harness.core.lastKnown(Symbol("AAPL")) == nil)

      let byPrefix = try await client.send(.delete, "/v1/cache?prefix=v1:quote:A")
      #expect(byPrefix.object["removed"] as? Int == 1)
      #expect(harness.core.lastKnown(Symbol("AMD")) == nil)
      #expect(harness.core.lastKnown(Symbol("MSFT")) != nil)

      let all = try await client.send(.delete, "/v1/cache")
      #expect(all.object["removed"] as? Int == 2)
      #expect(harness.core.cacheStatistics()[0].entries == 0)

      let badPrefix = try await client.send(.delete, "/v1/cache?prefix=%00drop")
      #expect(badPrefix.status == .badRequest)
      #expect(badPrefix.errorClass == "invalid_prefix")
      let badSymbol = try await client.send(.delete, "/v1/cache/%20")
      #expect(badSymbol.status == .badRequest)
      #expect(badSymbol.errorClass == "invalid_symbol")
    }
  }

  @Test("DELETE /v1/cache/{symbol} removes exactly that symbol: BA leaves BABA, BTC leaves BTC-USD, V leaves VTI")
  func exactSymbolInvalidation() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes?symbols=BA,BABA,BTC,BTC-USD,V,VTI")
      let calls = harness.provider.callCount
      for (symbol, survivor) in [("BA", "BABA"), ("BTC", "BTC-USD"), ("V", "VTI")] {
        let response = try await client.send(.delete, "/v1/cache/\(symbol)")
        #expect(response.object["removed"] as? Int == 1, "\(symbol)")
        #expect(harness.core.lastKnown(try Symbol(validating: symbol)) == nil)
        let kept = try await client.get("/v1/quotes/\(survivor)")
        #expect(kept.object["origin"] as? String == "memory", "\(survivor) went with \(symbol)")
      }
      #expect(harness.provider.callCount == calls)
      #expect(try await client.send(.delete, "/v1/cache/BA").object["removed"] as? Int == 0)
    }
  }
}
