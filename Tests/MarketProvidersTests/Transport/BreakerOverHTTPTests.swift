import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

/// The core over a real HTTP provider: upstream 503s open that provider's breaker as
/// configured, while 429s back off without counting against it.
@Suite struct BreakerOverHTTPTests {
  let clock = ManualClock()
  /// Judges the last four calls; any two failures open it for a minute.
  let breaker = CircuitBreakerConfiguration(
    slidingWindow: .countBased(size: 4), failureRateThreshold: 50, minimumNumberOfCalls: 4,
    waitDurationInOpen: .seconds(60))

  func core(_ upstream: FakeUpstream, _ transport: HTTPTransport) -> MarketDataCore {
    let provider = HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: upstream.baseURL), transport: transport, timeout: .generousTimeout, clock: clock)
    return MarketDataCore(providers: [ProviderRegistration(provider, breaker: breaker)], clock: clock)
  }

  @Test(.timeLimit(.minutes(1))) func upstream503sOpenTheBreakerAfterTheWindowFills() async throws {
    let unavailable = FakeUpstream.Response.json(#"{"detail": "Service Unavailable"}"#, status: 503)
    try await withLoopback({ _ in unavailable }) { upstream, transport in
      let core = core(upstream, transport)
      let events = core.updates()
      for symbol in ["AAPL", "MSFT", "NVDA", "AMD"] {
        await #expect(throws: ReadError.self) { try await core.quote(text: symbol) }
      }
      let status = try #require(core.providerStatuses().first)
      #expect(status.breaker.state == .open)
      #expect(status.breaker.failedCalls == 4)
      #expect(upstream.requests.count == 4)

      // Open: the next read does not reach the upstream at all.
      await #expect(throws: ReadError.self) { try await core.quote(text: "TSLA") }
      #expect(upstream.requests.count == 4)

      var opened = false
      var errors: [ProviderError] = []
      for await event in events {
        switch event.kind {
        case .providerError(_, let error, _): errors.append(error)
        case .breakerTransition(_, _, let to, _): opened = to == BreakerState.open.rawValue
        default: break
        }
        if opened { break }
      }
      #expect(opened)
      #expect(errors.allSatisfy { $0 == .upstreamStatus(503) })
    }
  }

  @Test func upstream429BacksOffWithoutCountingAsABreakerFailure() async throws {
    let limited = FakeUpstream.Response(
      status: 429, headers: [("Content-Type", "application/json"), ("Retry-After", "30")],
      body: Array(#"{"detail": "Too Many Requests"}"#.utf8))
    try await withLoopback({ _ in limited }) { upstream, transport in
      let core = core(upstream, transport)
      await #expect(throws: ReadError.self) { try await core.quote(text: "AAPL") }
      #expect(upstream.requests.count == 1)

      // Backing off for the 30 s asked: no call goes out, and none counts as a failure.
      for symbol in ["MSFT", "NVDA", "AMD", "TSLA"] {
        await #expect(throws: ReadError.self) { try await core.quote(text: symbol) }
      }
      #expect(upstream.requests.count == 1)
      let status = try #require(core.providerStatuses().first)
      #expect(status.breaker.state == .closed)
      #expect(status.breaker.failedCalls == 0)
      #expect(status.limits.backingOffFor == .seconds(30))

      // Once the wait is over the provider is asked again.
      clock.advance(by: .seconds(31))
      upstream.respond { _ in limited }
      await #expect(throws: ReadError.self) { try await core.quote(text: "MSFT") }
      #expect(upstream.requests.count == 2)
      #expect(core.providerStatuses().first?.breaker.state == .closed)
    }
  }

  /// The issue's case over the wire: openbb-api relays FMP's rate limit as a 502 whose
  /// `detail` carries FMP's 429. It is a rate limit, so the breaker stays closed however
  /// often it comes, and the wait asked for is honoured.
  @Test func aRateLimitRelayedByOpenBBLeavesTheBreakerClosed() async throws {
    var relayed = try FakeUpstream.Response.fixture("openbb/error_502_fmp_rate_limit_relayed.json", status: 502)
    relayed.headers.append(("Retry-After", "30"))
    let response = relayed
    try await withLoopback({ _ in response }) { upstream, transport in
      let core = core(upstream, transport)
      for symbol in ["AAPL", "MSFT", "NVDA", "AMD", "TSLA"] {
        await #expect(throws: ReadError.self) { try await core.quote(text: symbol) }
        clock.advance(by: .seconds(31))
      }
      #expect(upstream.requests.count == 5)
      let status = try #require(core.providerStatuses().first)
      #expect(status.breaker.state == .closed)
      #expect(status.breaker.failedCalls == 0)
    }
  }
}
