import Foundation
import MarketCore
import MarketTesting
import Testing

@Suite("Simulated market")
struct SimulatedMarketTests {
  func path(seed: UInt64, symbol: Symbol, steps: Int) -> [Double] {
    let market = SimulatedMarket(seed: seed)
    return (0..<steps).compactMap { step in
      market.tick(for: symbol, at: MarketInstant(nanoseconds: Int64(step) * market.stepInterval.nanoseconds))?.price
    }
  }

  @Test("the same seed gives the same prices; another seed gives others")
  func determinism() {
    let first = path(seed: 8, symbol: Symbol("AAPL"), steps: 500)
    let again = path(seed: 8, symbol: Symbol("AAPL"), steps: 500)
    let other = path(seed: 9, symbol: Symbol("AAPL"), steps: 500)
    #expect(first.count == 500)
    #expect(first == again)
    #expect(first != other)
  }

  @Test("a symbol's path does not depend on who else is asked or when")
  func independentOfQueryPattern() {
    let market = SimulatedMarket(seed: 8)
    let late = MarketInstant(nanoseconds: 400 * market.stepInterval.nanoseconds)
    _ = market.tick(for: Symbol("MSFT"), at: .origin + .seconds(3))
    _ = market.tick(for: Symbol("NVDA"), at: .origin + .seconds(7))
    let direct = SimulatedMarket(seed: 8).tick(for: Symbol("NVDA"), at: late)
    #expect(market.tick(for: Symbol("NVDA"), at: late) == direct)
  }

  @Test("prices move, stay positive and plausible, and session statistics hold")
  func plausible() throws {
    let market = SimulatedMarket(seed: 8)
    let tick = try #require(market.tick(for: Symbol("AAPL"), at: .origin + .seconds(3600)))
    #expect(tick.price > 0)
    #expect(tick.price > 150 && tick.price < 350)
    #expect(tick.low <= tick.price && tick.price <= tick.high)
    #expect(tick.low <= tick.open && tick.open <= tick.high)
    #expect(tick.previousClose == 232.10)
    #expect(tick.volume > 0)
    let prices = path(seed: 8, symbol: Symbol("BTC-USD"), steps: 50)
    #expect(Set(prices).count > 40)
    #expect(market.tick(for: Symbol("NOPE"), at: .origin) == nil)
  }

  @Test("every default watchlist symbol is listed")
  func defaultsListed() {
    let market = SimulatedMarket()
    for immortal in Immortal.all {
      for symbol in immortal.defaultSymbols { #expect(market.lists(symbol), "\(symbol) missing") }
    }
  }

  @Test("log-normal latency matches its median and p99")
  func latencyDistribution() {
    let latency = SimulatedBehaviour.Latency(median: .milliseconds(40), p99: .milliseconds(600))
    var random = SeededRandom(seed: 1)
    let samples = (0..<20_000).map { _ in latency.sample(&random).milliseconds }.sorted()
    let median = samples[samples.count / 2]
    let p99 = samples[samples.count * 99 / 100]
    #expect(abs(median - 40) < 3, "median \(median)")
    #expect(abs(p99 - 600) < 90, "p99 \(p99)")
  }

  @Test("outage schedules are periodic with a phase")
  func outages() {
    let schedule = SimulatedBehaviour.OutageSchedule(period: .seconds(120), downtime: .seconds(30), phase: .seconds(45))
    #expect(!schedule.isDown(at: .origin + .seconds(44)))
    #expect(schedule.isDown(at: .origin + .seconds(45)))
    #expect(schedule.isDown(at: .origin + .seconds(74)))
    #expect(!schedule.isDown(at: .origin + .seconds(75)))
    #expect(schedule.isDown(at: .origin + .seconds(165)))
    #expect(schedule.nextRecovery(after: .origin + .seconds(50)) == .origin + .seconds(75))
  }

  @Test("a simulated provider marks every quote simulated, sleeps on the injected clock and injects faults")
  func provider() async throws {
    let clock = ManualClock()
    let market = SimulatedMarket(seed: 8)
    let provider = SimulatedProvider(
      id: "sim", market: market, clock: clock,
      behaviour: SimulatedBehaviour(latency: .init(median: .milliseconds(50), p99: .milliseconds(50))))
    let call = Task { try await provider.quotes(for: [Symbol("AAPL"), Symbol("NOPE")]) }
    await clock.waitForSleepers(1)
    clock.advance(by: .milliseconds(50))
    let results = try await call.value
    let quote = try #require(try results[Symbol("AAPL")]?.get())
    #expect(quote.isSimulated)
    #expect(quote.source == "sim")
    #expect(quote.receivedAt == clock.wallTime(at: .origin + .milliseconds(50)))
    #expect(results[Symbol("NOPE")] == .failure(.unknownSymbol(Symbol("NOPE"))))
    #expect(provider.callCount == 1)

    provider.currentBehaviour = SimulatedBehaviour(latency: .instant, errorRate: 1)
    await #expect(throws: ProviderError.upstreamStatus(503)) { try await provider.quote(for: Symbol("AAPL")) }
    provider.currentBehaviour = SimulatedBehaviour(latency: .instant, garbageRate: 1)
    await #expect(throws: ProviderError.self) { try await provider.quote(for: Symbol("AAPL")) }
    provider.currentBehaviour = SimulatedBehaviour(
      latency: .instant, outages: [.init(period: .seconds(10), downtime: .seconds(10))])
    await #expect(throws: ProviderError.transport("connection refused (simulated outage)")) {
      try await provider.quote(for: Symbol("AAPL"))
    }
  }

  @Test("prices carry the provider's precision, with no float noise")
  func precision() throws {
    let market = SimulatedMarket(seed: 3)
    let clock = ManualClock()
    let provider = SimulatedProvider(id: "sim", market: market, clock: clock, behaviour: .perfect)
    _ = provider
    let tick = try #require(market.tick(for: Symbol("EURUSD=X"), at: .origin + .seconds(1)))
    let rounded = tick.price.rounded(toDecimals: 4)
    #expect(String(rounded).count <= 6)
    #expect(244.47000122070312.rounded(toDecimals: 2) == 244.47)
  }
}
