import Foundation
import MarketTesting
import Synchronization
import Testing

@testable import MarketCore

@Suite("Routing and resilience in the read pipeline")
struct RoutingTests {
  /// A provider whose every call takes `latency` of the manual clock (the call moves time),
  /// so health sees real durations without anyone sleeping.
  func timed(_ id: ProviderID, clock: ManualClock, latency: Duration, price: Double = 1) -> ScriptedProvider {
    ScriptedProvider(id: id) { symbols in
      clock.advance(by: latency)
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map {
          ($0, .success(Quote(symbol: $0, price: price, asOf: now, receivedAt: now, source: id, isSimulated: false)))
        })
    }
  }

  @Test("priority tiers come first; equals share the traffic within 5% over 10,000 picks")
  func spread() {
    let clock = ManualClock()
    let core = MarketDataCore(
      providers: [
        ProviderRegistration(ScriptedProvider(id: "a", clock: clock), priority: 1),
        ProviderRegistration(ScriptedProvider(id: "b", clock: clock), priority: 1),
        ProviderRegistration(ScriptedProvider(id: "c", clock: clock), priority: 1),
        ProviderRegistration(ScriptedProvider(id: "backup", clock: clock), priority: 2),
      ], clock: clock)
    var firsts: [ProviderID: Int] = [:]
    for _ in 0..<10_000 {
      let (candidates, skipped) = core.context.router.plan(for: Symbol("AAPL"), at: clock.now()) { $0 is any QuoteProvider }
      #expect(skipped.isEmpty)
      #expect(candidates.last?.id == "backup")
      if let first = candidates.first?.id { firsts[first, default: 0] += 1 }
    }
    for id: ProviderID in ["a", "b", "c"] {
      let share = Double(firsts[id] ?? 0) / 10_000
      #expect(abs(share - 1.0 / 3) < 0.05, "\(id) got \(share)")
    }
    #expect(firsts["backup"] == nil)
  }

  @Test("weights shift away from a provider made slow, but never to zero")
  func slowProviderGetsLess() async throws {
    let clock = ManualClock()
    let fast = timed("fast", clock: clock, latency: .milliseconds(20))
    let slow = timed("slow", clock: clock, latency: .milliseconds(2_000))
    let core = MarketDataCore(providers: [ProviderRegistration(fast), ProviderRegistration(slow)], clock: clock)
    // Warm both providers' health with calls that go to each.
    for index in 0..<40 { _ = try await core.quote(try Symbol(validating: "S\(index)")) }
    var firsts: [ProviderID: Int] = [:]
    for _ in 0..<1_000 {
      if let first = core.context.router.plan(for: Symbol("AAPL"), at: clock.now(), where: { $0 is any QuoteProvider })
        .candidates.first?.id
      {
        firsts[first, default: 0] += 1
      }
    }
    let slowShare = Double(firsts["slow"] ?? 0) / 1_000
    #expect(slowShare < 0.2, "slow provider still got \(slowShare)")
    #expect(slowShare > 0, "a slow provider must keep some traffic until its breaker opens")
  }

  @Test("failures open the breaker with a reason; the tier spills to the next; the wait leads to a probe that closes it")
  func breakerLifecycle() async throws {
    let clock = ManualClock()
    let flaky = ScriptedProvider(id: "flaky") { _ in throw ProviderError.upstreamStatus(503) }
    let backup = ScriptedProvider(id: "backup", price: 2, clock: clock)
    var breaker = CircuitBreakerConfiguration()
    breaker.slidingWindow = .countBased(size: 10)
    breaker.minimumNumberOfCalls = 5
    breaker.waitDurationInOpen = .seconds(15)
    let core = MarketDataCore(
      providers: [
        ProviderRegistration(flaky, priority: 1, breaker: breaker), ProviderRegistration(backup, priority: 2, breaker: breaker),
      ], clock: clock)
    let events = core.updates()
    for index in 0..<5 {
      let served = try await core.quote(try Symbol(validating: "F\(index)"))
      #expect(served.source == "backup")  // failover to the next tier on every failure
    }
    #expect(flaky.callCount == 5)
    let status = try #require(core.providerStatuses().first { $0.id == "flaky" })
    #expect(status.breaker.state == .open)
    #expect(status.breaker.lastTransitionReason?.contains("failure rate 100%") == true)
    // Open: skipped with its reason, no calls.
    let (candidates, skipped) = core.context.router.plan(for: Symbol("AAPL"), at: clock.now()) { $0 is any QuoteProvider }
    #expect(candidates.map(\.id) == ["backup"])
    guard case .circuitOpen(let retryIn)? = skipped.first?.reason else {
      Issue.record("expected circuit-open skip, got \(skipped)")
      return
    }
    #expect(retryIn == .seconds(15))
    _ = try await core.quote(Symbol("AAPL"))
    #expect(flaky.callCount == 5)

    // After the wait the provider recovers: probes pass and the breaker closes.
    let now = clock.wallNow()
    flaky.respond { symbols in
      Dictionary(
        uniqueKeysWithValues: symbols.map {
          ($0, .success(Quote(symbol: $0, price: 1, asOf: now, receivedAt: now, source: "flaky", isSimulated: false)))
        })
    }
    clock.advance(by: .seconds(15))
    core.advanceTime()
    #expect(core.providerStatuses().first { $0.id == "flaky" }?.breaker.state == .halfOpen)
    for index in 0..<3 { _ = try await core.quote(try Symbol(validating: "P\(index)")) }
    #expect(core.providerStatuses().first { $0.id == "flaky" }?.breaker.state == .closed)

    var transitions: [String] = []
    for await event in events {
      if case .breakerTransition(let provider, let from, let to, _) = event.kind, provider == "flaky" {
        transitions.append("\(from)→\(to)")
      }
      if transitions.count == 3 { break }
    }
    #expect(transitions == ["closed→open", "open→half-open", "half-open→closed"])
  }

  @Test("first-wins answers with the fastest success and cancels the rest")
  func firstWins() async throws {
    let clock = ManualClock()
    let gate = Gate()
    let stuck = ScriptedProvider(id: "stuck", price: 1, clock: clock, gate: gate)
    let quick = ScriptedProvider(id: "quick", price: 2, clock: clock)
    var configuration = CoreConfiguration()
    configuration.quoteFanOut = .firstWins
    let core = MarketDataCore(
      providers: [ProviderRegistration(stuck, priority: 1), ProviderRegistration(quick, priority: 2)],
      configuration: configuration, clock: clock)
    let served = try await core.quote(Symbol("NVDA"))
    #expect(served.source == "quick")
    #expect(stuck.callCount == 1 && quick.callCount == 1)
    gate.open()
    // The loser's late answer never replaces the winner's.
    #expect(core.lastKnown(Symbol("NVDA"))?.source == "quick")
    // The cancelled call is not a failure against the slow provider.
    let stuckStatus = try #require(core.providerStatuses().first { $0.id == "stuck" })
    #expect(stuckStatus.breaker.failedCalls == 0)
    #expect(stuckStatus.health.consecutiveFailures == 0)
  }

  /// A core that hedges `primary` with `secondary`, with no limit on extra requests.
  static func hedgedCore(
    _ primary: ScriptedProvider, then secondary: ScriptedProvider, delayPercentile: Double,
    delayBounds: ClosedRange<Duration>, clock: ManualClock
  ) -> MarketDataCore {
    var configuration = CoreConfiguration()
    configuration.quoteFanOut = .hedged(
      maximumExtraRatio: 1, delay: .percentile(delayPercentile), minimumDelay: delayBounds.lowerBound,
      maximumDelay: delayBounds.upperBound)
    return MarketDataCore(
      providers: [ProviderRegistration(primary, priority: 1), ProviderRegistration(secondary, priority: 2)],
      configuration: configuration, clock: clock)
  }

  /// What a scripted primary answers once it is let go: price 1, as of now.
  static func primaryAnswer(_ symbols: [Symbol], clock: ManualClock) -> [Symbol: Result<Quote, ProviderError>] {
    let now = clock.wallNow()
    return [
      symbols[0]: .success(
        Quote(symbol: symbols[0], price: 1, asOf: now, receivedAt: now, source: "primary", isSimulated: false))
    ]
  }

  @Test("hedged: no second request when the first answers before the delay; one after it")
  func hedged() async throws {
    let clock = ManualClock()
    let gate = Gate()
    let primary = ScriptedProvider(id: "primary", price: 1, clock: clock, gate: gate)
    let secondary = ScriptedProvider(id: "secondary", price: 2, clock: clock)
    let core = Self.hedgedCore(
      primary, then: secondary, delayPercentile: 95, delayBounds: .milliseconds(100)...(.milliseconds(100)), clock: clock)

    // Answers before the delay: one request only.
    gate.open()
    let first = try await core.quote(Symbol("AAPL"))
    #expect(first.source == "primary")
    #expect(secondary.callCount == 0)

    // Primary hangs: after the delay the hedge goes to the secondary, which wins.
    let hanging = Gate()
    primary.respond { symbols in
      try await hanging.wait()
      return Self.primaryAnswer(symbols, clock: clock)
    }
    let pending = Task { try await core.quote(Symbol("MSFT")) }
    await hanging.waitForWaiters(1)
    await clock.waitForSleepers(1)
    #expect(secondary.callCount == 0)
    clock.advance(by: .milliseconds(100))
    let hedgedAnswer = try await pending.value
    #expect(hedgedAnswer.source == "secondary")
    #expect(secondary.callCount == 1)
    hanging.open()
  }

  @Test("hedged: the delay is the primary's recent latency at the configured percentile")
  func hedgeDelayPercentile() async throws {
    let clock = ManualClock()
    let latencies = Mutex((1...10).reversed().map { Duration.milliseconds($0 * 10) })
    let hanging = Gate()
    let primary = ScriptedProvider(id: "primary", price: 1, clock: clock)
    primary.respond { symbols in
      // Ten answers taking 100, 90, ... 10 ms, each faster than every one before it, so no
      // warm-up call outlasts its hedge delay; then one that hangs.
      if let latency = latencies.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
        try await clock.sleep(for: latency)
      } else {
        try await hanging.wait()
      }
      return Self.primaryAnswer(symbols, clock: clock)
    }
    let secondary = ScriptedProvider(id: "secondary", price: 2, clock: clock)
    let core = Self.hedgedCore(
      primary, then: secondary, delayPercentile: 50, delayBounds: .milliseconds(1)...(.seconds(10)), clock: clock)

    for (index, symbol) in ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"].enumerated() {
      let pending = Task { try await core.quote(text: symbol) }
      // The primary's sleep and the hedge timer.
      await clock.waitForSleepers(2)
      clock.advance(by: .milliseconds(100 - index * 10))
      #expect(try await pending.value.source == "primary")
    }
    #expect(secondary.callCount == 0)

    // The median of 10...100 ms is 50 ms: no hedge at 49 ms, one just after 50 ms (p95
    // would wait for 100 ms).
    let pending = Task { try await core.quote(text: "K") }
    await hanging.waitForWaiters(1)
    await clock.waitForSleepers(1)
    clock.advance(by: .milliseconds(49))
    #expect(secondary.callCount == 0)
    clock.advance(by: .milliseconds(2))
    let hedgeSent = await eventually { secondary.callCount == 1 }
    #expect(hedgeSent)
    if !hedgeSent { hanging.open() }
    #expect(try await pending.value.source == "secondary")
    hanging.open()
  }

  @Test("every provider skipped: the error lists each with its reason")
  func allSkipped() async {
    let clock = ManualClock()
    var limits = ProviderLimitsConfiguration()
    limits.dailyQuota = 1
    let quota = ScriptedProvider(id: "quota", price: 1, clock: clock)
    let disabled = ScriptedProvider(id: "off", price: 1, clock: clock)
    let core = MarketDataCore(
      providers: [ProviderRegistration(quota, limits: limits), ProviderRegistration(disabled, priority: 2)], clock: clock)
    try? core.setProviderEnabled("off", false)
    _ = try? await core.quote(Symbol("AAPL"))  // spends the quota
    await #expect(
      throws: ReadError.noProviderAvailable(
        Symbol("MSFT"),
        skipped: [ProviderSkip(provider: "quota", reason: .quotaExhausted), ProviderSkip(provider: "off", reason: .disabled)])
    ) { try await core.quote(Symbol("MSFT")) }
    #expect(core.providerStatuses().first { $0.id == "off" }?.breaker.state == .disabled)
  }
}

@Suite("Health ignores unknown symbols")
struct UnknownSymbolHealthTests {
  @Test("an agent's typo leaves the provider's error rate and last error alone")
  func typosAreNotErrors() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p") { symbols in
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map { symbol in
          (
            symbol,
            symbol == Symbol("APPL")
              ? .failure(.unknownSymbol(symbol))
              : .success(Quote(symbol: symbol, price: 1, asOf: now, receivedAt: now, source: "p", isSimulated: false))
          )
        })
    }
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    _ = try await core.quote(Symbol("AAPL"))
    await #expect(throws: ReadError.unknownSymbol(Symbol("APPL"))) { try await core.quote(Symbol("APPL")) }
    let status = try #require(core.providerStatuses().first)
    #expect(status.health.errorRate == 0)
    #expect(status.health.lastError == nil)
    #expect(status.breaker.failedCalls == 0)
  }
}
