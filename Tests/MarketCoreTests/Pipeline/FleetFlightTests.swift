import Foundation
import MarketCore
import MarketTesting
import Testing

/// Single-flight across a fleet: cores sharing one tier and one lease store ask upstream
/// once per key; a waiter takes the holder's value from the shared tier, and asks itself
/// when the holder failed or died, or when the lease store is down.
@Suite("One upstream call per key for a fleet")
struct FleetFlightTests {
  let aapl = Symbol("AAPL")

  /// One instance of a fleet: its own provider, the fleet's tier and leases.
  struct Instance {
    let provider: ScriptedProvider
    let core: MarketDataCore
  }

  static func instance(
    _ name: String, price: Double, tier: MemoryTier, leases: MemoryFlightLeases, clock: ManualClock,
    gate: Gate? = nil, batchSize: Int = 1
  ) -> Instance {
    let provider = ScriptedProvider(
      id: "p", price: price, clock: clock, capabilities: ProviderCapabilities(maximumBatchSize: batchSize), gate: gate)
    let core = MarketDataCore(
      providers: [ProviderRegistration(provider)], clock: clock, tiers: [tier], flights: leases.instance(name))
    return Instance(provider: provider, core: core)
  }

  @Test("two instances reading one cold symbol at once make one upstream call")
  func oneCallForTheFleet() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    let leases = MemoryFlightLeases()
    let gate = Gate()
    let a = Self.instance("a", price: 10, tier: tier, leases: leases, clock: clock, gate: gate)
    let b = Self.instance("b", price: 20, tier: tier, leases: leases, clock: clock)
    let first = Task { try await a.core.quote(aapl) }
    await gate.waitForWaiters(1)
    #expect(leases.holder(of: CacheKey(.quote, aapl)) == "a")
    let second = Task { try await b.core.quote(aapl) }
    #expect(await eventually { leases.waiterCount == 1 })
    gate.open()
    let (fromA, fromB) = try await (first.value, second.value)
    #expect(fromA.origin == .upstream)
    #expect(fromB.origin == .sharedTier)
    #expect(fromB.quote.price == 10)
    #expect(a.provider.callCount == 1)
    #expect(b.provider.callCount == 0)
    #expect(leases.holder(of: CacheKey(.quote, aapl)) == nil)
  }

  @Test("a holder whose call failed releases; the waiter then claims and asks itself")
  func aFailedHolderLeavesTheKeyToTheNext() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    let leases = MemoryFlightLeases()
    let gate = Gate()
    let a = Self.instance("a", price: 10, tier: tier, leases: leases, clock: clock, gate: gate)
    a.provider.respond { _ in throw ProviderError.upstreamStatus(503) }
    let b = Self.instance("b", price: 20, tier: tier, leases: leases, clock: clock)
    let first = Task { try await a.core.quote(aapl) }
    await gate.waitForWaiters(1)
    let second = Task { try await b.core.quote(aapl) }
    #expect(await eventually { leases.waiterCount == 1 })
    gate.open()
    await #expect(throws: ReadError.self) { try await first.value }
    let fromB = try await second.value
    #expect(fromB.origin == .upstream)
    #expect(fromB.quote.price == 20)
    #expect(b.provider.callCount == 1)
  }

  @Test("a holder that died holds the key until its lease expires; then a waiter asks")
  func aDeadHoldersKeyIsTakenOver() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    let leases = MemoryFlightLeases()
    let key = CacheKey(.quote, aapl)
    // The dead holder: a lease taken by an instance that will never release it.
    #expect(await leases.instance("dead").claim([key]) == [key: .holding])
    let b = Self.instance("b", price: 20, tier: tier, leases: leases, clock: clock)
    let waiting = Task { try await b.core.quote(aapl) }
    #expect(await eventually { leases.waiterCount == 1 })
    #expect(b.provider.callCount == 0)
    leases.expire(key)
    let served = try await waiting.value
    #expect(served.origin == .upstream)
    #expect(b.provider.callCount == 1)
  }

  @Test("with the lease store down, each instance asks alone")
  func aDownLeaseStoreLeavesEachAlone() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    let leases = MemoryFlightLeases()
    leases.setDown(true)
    let a = Self.instance("a", price: 10, tier: tier, leases: leases, clock: clock)
    let served = try await a.core.quote(aapl)
    #expect(served.origin == .upstream)
    #expect(a.provider.callCount == 1)
  }

  @Test("without a shared tier no lease is claimed: a waiter would have nowhere to find the value")
  func noSharedTierNoLeases() async throws {
    let clock = ManualClock()
    let leases = MemoryFlightLeases()
    let a = Self.instance("a", price: 10, tier: MemoryTier(name: "sqlite", isShared: false), leases: leases, clock: clock)
    _ = try await a.core.quote(aapl)
    #expect(leases.claimCount == 0)
    #expect(a.provider.callCount == 1)
  }

  @Test("a batch asks for the keys it could claim and takes the others' values from the shared tier")
  func aBatchJoinsTheOthersFlights() async throws {
    let clock = ManualClock()
    let tier = MemoryTier(name: "redis")
    let leases = MemoryFlightLeases()
    let gate = Gate()
    let symbols = ["AAPL", "MSFT", "NVDA"].map { Symbol($0) }
    let a = Self.instance("a", price: 10, tier: tier, leases: leases, clock: clock, gate: gate)
    let b = Self.instance("b", price: 20, tier: tier, leases: leases, clock: clock, batchSize: 10)
    let first = Task { try await a.core.quote(aapl) }
    await gate.waitForWaiters(1)
    let batch = Task { await b.core.quotes(symbols) }
    #expect(await eventually { leases.waiterCount == 1 })
    // b asked for the two it holds, in one batch, while it waits for AAPL.
    #expect(
      await eventually {
        b.provider.calls.count == 1 && Set(b.provider.calls[0]) == [Symbol("MSFT"), Symbol("NVDA")]
      })
    gate.open()
    _ = try await first.value
    let results = await batch.value
    #expect(try results[aapl]?.get().origin == .sharedTier)
    #expect(try results[aapl]?.get().quote.price == 10)
    #expect(try results[Symbol("MSFT")]?.get().origin == .upstream)
    #expect(a.provider.callCount == 1)
    #expect(b.provider.callCount == 1)
    #expect(leases.holder(of: CacheKey(.quote, Symbol("MSFT"))) == nil)
  }
}
