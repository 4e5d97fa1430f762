import Foundation
import MarketCore
import MarketTesting
import Testing

@Suite("Data quality")
struct DataQualityTests {
  func provider(_ id: ProviderID, clock: ManualClock, price: Double, asOfOffset: TimeInterval = 0) -> ScriptedProvider {
    ScriptedProvider(id: id) { symbols in
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map {
          (
            $0,
            .success(
              Quote(
                symbol: $0, price: price, asOf: now.addingTimeInterval(asOfOffset), receivedAt: now, source: id,
                isSimulated: false))
          )
        })
    }
  }

  func dataQualityEvents(_ core: MarketDataCore) -> [String] {
    core.recentEvents.compactMap { if case .dataQuality(let text) = $0.kind { text } else { nil } }
  }

  @Test("a non-positive or non-finite price is refused with an event, and the next provider answers")
  func impossiblePrice() async throws {
    for bad in [0, -3, Double.nan, .infinity] {
      let clock = ManualClock()
      let broken = provider("broken", clock: clock, price: bad)
      let good = provider("good", clock: clock, price: 10)
      let core = MarketDataCore(
        providers: [ProviderRegistration(broken, priority: 1), ProviderRegistration(good, priority: 2)], clock: clock)
      let served = try await core.quote(Symbol("AAPL"))
      #expect(served.source == "good")
      #expect(dataQualityEvents(core).contains { $0.contains("broken") && $0.contains("not a positive number") })
    }
  }

  @Test("an as-of time in the future is refused")
  func future() async {
    let clock = ManualClock()
    let core = MarketDataCore(
      providers: [ProviderRegistration(provider("seer", clock: clock, price: 5, asOfOffset: 3600))], clock: clock)
    await #expect(throws: ReadError.self) { try await core.quote(Symbol("MSFT")) }
    #expect(dataQualityEvents(core).contains { $0.contains("in the future") })
  }

  @Test("as-of times never go backwards: an older answer keeps the newer value")
  func backwards() async throws {
    let clock = ManualClock()
    let source = provider("p", clock: clock, price: 5)
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(1), refreshAheadFraction: 1, maximumStaleness: .zero)
    let core = MarketDataCore(providers: [ProviderRegistration(source)], configuration: configuration, clock: clock)
    let first = try await core.quote(Symbol("KO"))
    clock.advance(by: .seconds(5))
    source.respond { symbols in
      let old = clock.wallNow().addingTimeInterval(-60)
      return [
        symbols[0]: .success(
          Quote(symbol: symbols[0], price: 4, asOf: old, receivedAt: clock.wallNow(), source: "p", isSimulated: false))
      ]
    }
    let second = try await core.quote(Symbol("KO"))
    #expect(second.quote.price == 5)
    #expect(second.quote.asOf == first.quote.asOf)
    #expect(dataQualityEvents(core).contains { $0.contains("older than the value held") })
  }

  @Test("two providers disagreeing beyond the threshold raise a divergence event naming both")
  func divergence() async throws {
    let clock = ManualClock()
    let one = provider("one", clock: clock, price: 100)
    let two = provider("two", clock: clock, price: 120)
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(1), refreshAheadFraction: 1, maximumStaleness: .zero)
    let core = MarketDataCore(
      providers: [ProviderRegistration(one), ProviderRegistration(two, priority: 2)], configuration: configuration, clock: clock)
    _ = try await core.quote(Symbol("TSLA"))
    try core.tripProvider("one")
    clock.advance(by: .seconds(2))  // expired: the next read goes upstream, to the second provider
    let served = try await core.quote(Symbol("TSLA"))
    #expect(served.source == "two")
    let divergences = dataQualityEvents(core).filter { $0.hasPrefix("divergence") }
    #expect(divergences.count == 1)
    #expect(divergences.first?.contains("two says 120.0, one says 100.0") == true)
  }
}
