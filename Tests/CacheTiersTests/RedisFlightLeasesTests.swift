import Foundation
import Logging
import MarketCore
import MarketTesting
import Testing

@testable import CacheTiers

/// Leases on upstream calls in a real redis-server, claimed by several instances: one holds a
/// key, the others learn by whom and for how long, and wake when it is released, deleted
/// behind the release message's back, or expires; a dead Redis leaves each instance alone.
@Suite struct RedisFlightLeasesTests {
  let aapl = CacheKey(.quote, Symbol("AAPL"))
  let msft = CacheKey(.quote, Symbol("MSFT"))

  static func leases(
    _ client: RedisClient, instance: String, clock: any MarketClock = ManualClock(), lease: Duration = .seconds(30),
    timeout: Duration = .generousTimeout
  ) -> RedisFlightLeases {
    var options = RedisFlightLeases.Options()
    options.prefix = "flight-test:"
    options.lease = lease
    options.timeout = timeout
    return RedisFlightLeases(
      client: client, instanceID: instance, options: options, clock: clock, logger: Logger(label: "test.flights"))
  }

  /// Waits for a wait to end by itself; a broken wake fails the test instead of hanging it
  /// (cancelling a wait ends it).
  static func ends(_ waiting: Task<Void, Never>) async throws {
    let ended = Recorder<Bool>()
    let watcher = Task {
      await waiting.value
      ended.append(true)
    }
    let endedByItself = await eventually { !ended.values.isEmpty }
    waiting.cancel()
    await watcher.value
    try #require(endedByItself, "the wait did not end")
  }

  @Test func oneInstanceHoldsAKeyAndTheOthersLearnByWhomAndForHowLong() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { first throws in
      try await withRedisClient(server: server) { second throws in
        let a = Self.leases(first, instance: "host-1-a")
        let b = Self.leases(second, instance: "host-2-b")
        #expect(await a.claim([aapl, msft]) == [aapl: .holding, msft: .holding])
        #expect(try await first.get(a.leaseKey(for: aapl)) == Array("host-1-a".utf8))
        #expect(a.leaseKey(for: aapl) == "flight-test:flight:v1:quote:AAPL")
        guard case .heldElsewhere(let holder, let remaining)? = await b.claim([aapl])[aapl] else {
          Issue.record("b should find AAPL held")
          return
        }
        #expect(holder == "host-1-a")
        #expect(remaining > .zero && remaining <= .seconds(30))
        // A lease of its own (a release that failed) is still the instance's.
        #expect(await a.claim([aapl]) == [aapl: .holding])
        // Releasing what another holds deletes nothing.
        await b.release([aapl])
        #expect(try await first.pttl(a.leaseKey(for: aapl)) > 0)
        await a.release([aapl, msft])
        #expect(try await first.pttl(a.leaseKey(for: aapl)) == -2)
        #expect(await b.claim([aapl]) == [aapl: .holding])
      }
    }
  }

  @Test func aReleaseWakesTheWaiters() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { first throws in
      try await withRedisClient(server: server) { second throws in
        let a = Self.leases(first, instance: "a")
        // A clock that never moves: only the release message can end the wait.
        let b = Self.leases(second, instance: "b", clock: ManualClock())
        let listening = Task { try await b.run() }
        // The subscription is live once a publish on the channel reaches it.
        #expect(await eventually { (try? await first.publish(b.channel, Array("none".utf8))) == 1 })
        #expect(await a.claim([aapl]) == [aapl: .holding])
        let waiting = Task { await b.waitForRelease(of: aapl, upTo: .seconds(3_600)) }
        #expect(await eventually { b.waiterCount == 1 })
        await a.release([aapl])
        try await Self.ends(waiting)
        #expect(b.waiterCount == 0)
        listening.cancel()
        _ = await listening.result
      }
    }
  }

  @Test func aLeaseGoneWithoutAMessageIsNoticedByThePoll() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { first throws in
      try await withRedisClient(server: server) { second throws in
        let a = Self.leases(first, instance: "a")
        let b = Self.leases(second, instance: "b")
        #expect(await a.claim([aapl, msft]) == [aapl: .holding, msft: .holding])
        let waitingForAAPL = Task { await b.waitForRelease(of: aapl, upTo: .seconds(3_600)) }
        let waitingForMSFT = Task { await b.waitForRelease(of: msft, upTo: .seconds(3_600)) }
        #expect(await eventually { b.waiterCount == 2 })
        // As if the holder's release message were lost in a reconnect.
        _ = try await first.delete([a.leaseKey(for: aapl)])
        await b.pollOnce()
        try await Self.ends(waitingForAAPL)
        // The lease still held keeps its waiter waiting.
        #expect(b.waiterCount == 1)
        await a.release([msft])
        await b.pollOnce()
        try await Self.ends(waitingForMSFT)
        #expect(b.waiterCount == 0)
      }
    }
  }

  @Test func aDeadHoldersLeaseExpiresAndTheKeyCanBeClaimed() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { first throws in
      try await withRedisClient(server: server) { second throws in
        // A holder that never releases: killed mid-call.
        let a = Self.leases(first, instance: "a", lease: .milliseconds(200))
        let b = Self.leases(second, instance: "b")
        #expect(await a.claim([aapl]) == [aapl: .holding])
        #expect(await eventually { await b.claim([aapl]) == [aapl: .holding] })
        guard case .heldElsewhere(let holder, _)? = await a.claim([aapl])[aapl] else {
          Issue.record("a should find AAPL held by b")
          return
        }
        #expect(holder == "b")
      }
    }
  }

  @Test func aWaitEndsAtItsLimit() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let clock = ManualClock()
      let a = Self.leases(client, instance: "a")
      let b = Self.leases(client, instance: "b", clock: clock)
      #expect(await a.claim([aapl]) == [aapl: .holding])
      let waiting = Task { await b.waitForRelease(of: aapl, upTo: .seconds(5)) }
      #expect(await eventually { clock.sleeperCount == 1 })
      clock.advance(by: .seconds(5))
      await waiting.value
      #expect(b.waiterCount == 0)
    }
  }

  @Test func aDeadRedisLeavesEachInstanceToAskAlone() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let a = Self.leases(client, instance: "a", timeout: .milliseconds(500))
      #expect(await a.claim([aapl]) == [aapl: .holding])
      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      #expect(await a.claim([aapl, msft]) == [aapl: .unavailable, msft: .unavailable])
      // A release that cannot reach Redis returns; the lease expires there on its own.
      await a.release([aapl])
    }
  }
}
