import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Testing

@Suite("Quote routes")
struct QuoteRouteTests {
  @Test("GET /v1/quotes/{symbol} serves a quote with source, as-of, age and the stale and simulated flags")
  func singleQuote() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/quotes/aapl")
      #expect(response.status == .ok)
      #expect(response.headers[.contentType] == "application/json; charset=utf-8")
      let quote = response.object
      #expect(quote["symbol"] as? String == "AAPL")
      #expect(quote["price"] as? Double == 100)
      #expect(quote["source"] as? String == "alpha")
      #expect(quote["as_of"] as? String == "2025-11-29T00:00:00Z")
      #expect(quote["age_seconds"] as? Double == 0)
      #expect(quote["stale"] as? Bool == false)
      #expect(quote["simulated"] as? Bool == false)
      #expect(quote["origin"] as? String == "upstream")
    }
  }

  @Test("a cached quote past its TTL is served marked stale, with its age")
  func staleQuote() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      harness.clock.advance(by: .seconds(12))
      let quote = try await client.get("/v1/quotes/AAPL").object
      #expect(quote["stale"] as? Bool == true)
      #expect(quote["origin"] as? String == "memory")
      #expect(quote["age_seconds"] as? Double == 12)
    }
  }

  @Test("percent-encoded symbols such as %5EVIX are decoded")
  func percentEncoded() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/quotes/%5EVIX")
      #expect(response.status == .ok)
      #expect(response.object["symbol"] as? String == "^VIX")
    }
  }

  @Test("400 invalid symbol, 404 unknown symbol, with the JSON error body")
  func clientErrors() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let invalid = try await client.get("/v1/quotes/AA%24PL")
      #expect(invalid.status == .badRequest)
      #expect(invalid.errorClass == "invalid_symbol")
      let message = (invalid.object["error"] as? [String: Any])?["message"] as? String
      #expect(message?.contains("'$'") == true)

      let unknown = try await client.get("/v1/quotes/ZZZZ")
      #expect(unknown.status == .notFound)
      #expect(unknown.errorClass == "unknown_symbol")
    }
  }

  @Test("503 when no provider can serve and nothing is cached; a cached quote is still served")
  func noProvider() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      _ = try await client.get("/v1/quotes/AAPL")
      try harness.core.tripProvider("alpha")
      let cached = try await client.get("/v1/quotes/AAPL")
      #expect(cached.status == .ok)
      let uncached = try await client.get("/v1/quotes/MSFT")
      #expect(uncached.status == .serviceUnavailable)
      #expect(uncached.errorClass == "no_provider_available")
    }
  }

  @Test("503 with no providers configured at all")
  func noProvidersConfigured() async throws {
    let harness = APIHarness(registerProvider: false)
    try await harness.test { client in
      let response = try await client.get("/v1/quotes/AAPL")
      #expect(response.status == .serviceUnavailable)
      #expect(response.errorClass == "no_provider_available")
    }
  }

  @Test("502 when every provider asked failed")
  func upstreamFailed() async throws {
    let harness = APIHarness()
    harness.provider.respond { _ in throw ProviderError.upstreamStatus(503) }
    try await harness.test { client in
      let response = try await client.get("/v1/quotes/AAPL")
      #expect(response.status == .badGateway)
      #expect(response.errorClass == "upstream_failed")
    }
  }

  @Test("429 rate_limited with Retry-After when the provider answered that it is rate limited")
  func rateLimitedUpstream() async throws {
    let harness = APIHarness()
    harness.provider.respond { _ in throw ProviderError.rateLimited(retryAfter: .milliseconds(4_200)) }
    try await harness.test { client in
      let response = try await client.get("/v1/quotes/AAPL")
      #expect(response.status == .tooManyRequests)
      #expect(response.errorClass == "rate_limited")
      #expect(response.headers[.retryAfter] == "5")
      // The provider is now skipped for its wait: still rate_limited, with what is left of it.
      harness.clock.advance(by: .seconds(2))
      let skipped = try await client.get("/v1/quotes/MSFT")
      #expect(skipped.status == .tooManyRequests)
      #expect(skipped.errorClass == "rate_limited")
      #expect(skipped.headers[.retryAfter] == "3")
    }
  }

  @Test("batch: partial results in the order asked, per-symbol errors, duplicates once")
  func batch() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let response = try await client.get("/v1/quotes?symbols=MSFT,%20aapl,bad!,ZZZZ,MSFT,,%5EVIX")
      #expect(response.status == .ok)
      let body = response.object
      let quotes = body["quotes"] as? [[String: Any]] ?? []
      #expect(quotes.compactMap { $0["symbol"] as? String } == ["MSFT", "AAPL", "^VIX"])
      let errors = body["errors"] as? [[String: Any]] ?? []
      #expect(errors.compactMap { $0["symbol"] as? String } == ["bad!", "ZZZZ"])
      #expect(errors.compactMap { ($0["error"] as? [String: Any])?["class"] as? String } == ["invalid_symbol", "unknown_symbol"])
    }
    // One upstream batch for the three valid, uncached symbols plus the unknown one.
    #expect(harness.provider.callCount == 1)
  }

  @Test("batch: 400 without symbols, or with too many")
  func batchLimits() async throws {
    let harness = APIHarness { $0.maximumBatchSymbols = 3 }
    try await harness.test { client in
      let missing = try await client.get("/v1/quotes")
      #expect(missing.status == .badRequest)
      #expect(missing.errorClass == "missing_symbols")
      let empty = try await client.get("/v1/quotes?symbols=,,")
      #expect(empty.errorClass == "missing_symbols")
      let tooMany = try await client.get("/v1/quotes?symbols=A,B,C,D")
      #expect(tooMany.status == .badRequest)
      #expect(tooMany.errorClass == "too_many_symbols")
    }
  }
}
