import Foundation
import MarketCore
import MarketTesting
import Testing

/// What the read pipeline promises every data class, shown on quotes: impossible answers are
/// the provider's failure, the caller hears who answered what, and invalidation is exact.
@Suite("Read pipeline contract")
struct PipelineContractTests {
  /// A provider whose answers parse but cannot be right: dated a day ahead, or priced at zero.
  static func impossible(_ id: ProviderID, clock: ManualClock, dated offset: TimeInterval = 86_400, price: Double = 100)
    -> ScriptedProvider
  {
    ScriptedProvider(id: id, capabilities: ProviderCapabilities(maximumBatchSize: 20)) { symbols in
      let now = clock.wallNow()
      return Dictionary(
        uniqueKeysWithValues: symbols.map {
          (
            $0,
            .success(
              Quote(
                symbol: $0, price: price, asOf: now.addingTimeInterval(offset), receivedAt: now, source: id,
                isSimulated: false))
          )
        })
    }
  }

  static var breaker: CircuitBreakerConfiguration {
    var breaker = CircuitBreakerConfiguration()
    breaker.slidingWindow = .countBased(size: 10)
    breaker.minimumNumberOfCalls = 5
    return breaker
  }

  @Test(
    "well-formed but impossible answers open the provider's breaker within its window, as bad_data",
    arguments: [(86_400.0, 100.0), (0, 0), (0, -3)])
  func badDataTripsTheBreaker(dated offset: TimeInterval, price: Double) async throws {
    let clock = ManualClock()
    let liar = Self.impossible("liar", clock: clock, dated: offset, price: price)
    let honest = ScriptedProvider(id: "honest", price: 42, clock: clock)
    let core = MarketDataCore(
      providers: [
        ProviderRegistration(liar, priority: 1, breaker: Self.breaker),
        ProviderRegistration(honest, priority: 2, breaker: Self.breaker),
      ], clock: clock)
    for index in 0..<5 {
      let served = try await core.quote(try Symbol(validating: "B\(index)"))
      #expect(served.source == "honest", "an impossible value was served")
    }
    let status = try #require(core.providerStatuses().first { $0.id == "liar" })
    #expect(status.breaker.state == .open)
    #expect(status.health.errorRate == 1)
    _ = try await core.quote(Symbol("AAPL"))
    #expect(liar.callCount == 5, "an open breaker still let calls through")
    #expect(core.recentEvents.contains { $0.summary.hasPrefix("rejected: ") && $0.summary.contains("liar") })
    #expect(core.recentEvents.contains { $0.summary.hasPrefix("liar breaker closed → open") })
  }

  @Test("a batch whose only provider's answer is refused names that provider and why, not 'none configured'")
  func rejectionIsNamed() async throws {
    let clock = ManualClock()
    let core = MarketDataCore(providers: [ProviderRegistration(Self.impossible("fmp", clock: clock))], clock: clock)
    let batch = await core.quotes([Symbol("AAPL"), Symbol("MSFT")])
    for symbol in [Symbol("AAPL"), Symbol("MSFT")] {
      guard case .failure(let error)? = batch[symbol] else {
        Issue.record("expected a failure for \(symbol), got \(String(describing: batch[symbol]))")
        continue
      }
      #expect(error.errorClass == "upstream_failed")
      #expect(error.description.contains("fmp: bad_data: impossible data"), "\(error)")
      #expect(!error.description.contains("none configured"))
    }
    await #expect(throws: ReadError.self) { try await core.quote(Symbol("NVDA")) }
    do {
      _ = try await core.quote(Symbol("TSLA"))
    } catch {
      guard case .allProvidersFailed(_, let failures) = error else {
        Issue.record("expected every provider failed, got \(error)")
        return
      }
      #expect(failures.map(\.provider) == ["fmp"])
      #expect(failures.first?.error.errorClass == "bad_data")
    }
  }

  @Test("invalidating a symbol takes exactly that symbol, never one it is the start of, and counts what went")
  func exactInvalidation() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", price: 10, clock: clock, capabilities: ProviderCapabilities(maximumBatchSize: 10))
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    let symbols = [Symbol("BA"), Symbol("BABA"), Symbol("BTC"), Symbol("BTC-USD"), Symbol("V"), Symbol("VTI")]
    _ = await core.quotes(symbols)
    #expect(provider.callCount == 1)
    #expect(core.invalidate(.symbol(Symbol("BA"))) == 1)
    #expect(core.invalidate(.symbol(Symbol("BTC"))) == 1)
    #expect(core.invalidate(.key(CacheKey(.quote, Symbol("V")))) == 1)
    #expect(core.invalidate(.symbol(Symbol("BA"))) == 0)
    for survivor in ["BABA", "BTC-USD", "VTI"] {
      #expect(try await core.quote(Symbol(validating: survivor)).origin == .memory, "\(survivor) was dropped")
    }
    #expect(provider.callCount == 1)
    #expect(core.lastKnown(Symbol("BA")) == nil, "the last-resort value outlived the invalidation")
    #expect(core.lastKnown(Symbol("BABA")) != nil)
    #expect(core.invalidate(.prefix("v1:quote:B")) == 2)
  }
}
