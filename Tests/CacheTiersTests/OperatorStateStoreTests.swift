import Foundation
import Logging
import MarketCore
import MarketTesting
import Synchronization
import Testing

@testable import CacheTiers

/// Operator state kept in a real redis-server: written with its version, refused when older
/// than the stored one, kept through an outage, read by an instance that starts later, and
/// settled by version (instance id last) when two instances act at once.
@Suite struct OperatorStateStoreTests {
  static let logger = Logger(label: "test.operator-state")
  /// 2025-11-29 12:00:00 UTC.
  static let noon = Date(timeIntervalSince1970: 1_764_417_600)

  /// One instance: a core over providers `p` and `q`, and its store on a test prefix.
  struct Instance {
    let core: MarketDataCore
    let store: OperatorStateStore
    let announced = Recorder<OperatorAction>()

    init(_ id: String, client: RedisClient, clock: ManualClock, prefix: String = "state-test:") {
      var configuration = CoreConfiguration()
      configuration.instanceID = id
      core = MarketDataCore(
        providers: [
          ProviderRegistration(ScriptedProvider(id: "p", clock: clock)),
          ProviderRegistration(ScriptedProvider(id: "q", clock: clock)),
        ], configuration: configuration, clock: clock)
      var options = OperatorStateStore.Options()
      options.prefix = prefix
      let announced = announced
      store = OperatorStateStore(
        client: client, core: core, options: options, clock: clock, logger: OperatorStateStoreTests.logger,
        announce: { action, _ in announced.append(action) })
    }

    func breaker(_ id: ProviderID) -> BreakerState? {
      core.providerStatuses().first { $0.id == id }?.breaker.state
    }

    func isEnabled(_ id: ProviderID) -> Bool? {
      core.providerStatuses().first { $0.id == id }?.isEnabled
    }

    func said(_ text: String) -> Bool {
      core.recentEvents.contains { $0.summary.contains(text) }
    }
  }

  static func stored(_ client: RedisClient, _ store: OperatorStateStore, _ subject: OperatorSubject) async throws
    -> StoredOperatorEntry?
  {
    guard let json = try await client.send(["HGET", store.hashKey, subject.field]).string else { return nil }
    return try StoredOperatorEntry(subject: subject, json: json)
  }

  @Test func anActionIsWrittenWithItsVersionAndReadBack() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      try a.core.tripProvider("p")
      let list = try a.core.editWatchlist(.luDongbin, .add(Symbol("GOOGL")))
      #expect(await a.store.writePending(announcing: false))

      let trip = try await Self.stored(client, a.store, .breaker("p"))
      #expect(
        trip
          == StoredOperatorEntry(action: .trip("p"), version: HybridTimestamp(wallMilliseconds: 1_764_417_600_000, instance: "a"))
      )
      let json = try #require(try await client.send(["HGET", a.store.hashKey, "provider:p:breaker"]).string)
      #expect(json == #"{"value":"tripped","version":{"counter":0,"instance":"a","wall":1764417600000}}"#)
      #expect(try await Self.stored(client, a.store, .watchlist(.luDongbin))?.action == .setWatchlist(.luDongbin, list))
      #expect(a.core.operatorState.values.allSatisfy { !$0.isPending })
      #expect(a.store.statistics.written == 2)

      // Read back by the same instance: nothing newer, nothing applied, nothing written again.
      #expect(await a.store.reconcile())
      #expect(a.store.statistics.applied == 0)
      #expect(a.store.statistics.written == 2)
      #expect(a.announced.count == 0)
    }
  }

  @Test func anOlderVersionIsRefusedAndTheNewerOneApplied() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      // Another instance reset p a minute after a's clock says it is now.
      let newer = StoredOperatorEntry(
        action: .reset("p"), version: HybridTimestamp(wallMilliseconds: 1_764_417_660_000, counter: 2, instance: "z"))
      _ = try await client.send(["HSET", a.store.hashKey, "provider:p:breaker", try #require(try newer.encoded())])

      try a.core.tripProvider("p")
      #expect(a.breaker("p") == .forcedOpen)
      #expect(await a.store.writePending(announcing: false))
      #expect(a.store.statistics.refused == 1)
      #expect(try await Self.stored(client, a.store, .breaker("p")) == newer)
      // The newer reset is kept everywhere, this instance too, and the dashboard says why.
      #expect(a.breaker("p") == .closed)
      #expect(a.said("conflict: provider p tripped here (1764417600000.0@a) lost to provider p reset by z"))
      #expect(a.said("reconciled: provider p reset by z (from Redis)"))
      #expect(a.core.operatorState[.breaker("p")]?.version == newer.version)
      #expect(a.core.operatorState[.breaker("p")]?.isPending == false)
    }
  }

  @Test func anActionTakenWhileRedisIsDownIsWrittenWhenItReturns() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })

      try a.core.tripProvider("p")
      try a.core.setProviderEnabled("q", false)
      #expect(await !a.store.writePending())
      #expect(await !a.store.reconcile())
      #expect(a.core.operatorState.values.filter(\.isPending).count == 2)
      #expect(a.breaker("p") == .forcedOpen)

      try await server.restart()
      #expect(await eventually { client.health.isConnected })
      #expect(await a.store.reconcile())
      #expect(try await Self.stored(client, a.store, .breaker("p"))?.action == .trip("p"))
      #expect(try await Self.stored(client, a.store, .enabled("q"))?.action == .setEnabled("q", false))
      #expect(a.core.operatorState.values.allSatisfy { !$0.isPending })
      // The bus could not send them when they were taken: they are announced now.
      #expect(Set(a.announced.values) == [.trip("p"), .setEnabled("q", false)])
    }
  }

  @Test func theRunningStoreWritesAnOutageActionByItselfWhenRedisReturns() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      let running = Task { try await a.store.run() }
      defer { running.cancel() }
      #expect(await eventually { a.store.hasReconciled })
      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      try a.core.tripProvider("p")

      try await server.restart()
      #expect(await eventually { client.health.isConnected })
      // No call here: the store notices Redis is back on its next look (the injected clock
      // moves it on) and reconciles.
      #expect(
        try await eventually {
          clock.advance(by: a.store.options.reconnectCheckInterval)
          return try await Self.stored(client, a.store, .breaker("p"))?.action == .trip("p")
        })
      #expect(await eventually { a.announced.values == [.trip("p")] })
      #expect(a.core.operatorState[.breaker("p")]?.isPending == false)
    }
  }

  @Test func anInstanceStartedLaterSeesTripsDisablesAndWatchlistsAtOnce() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      try a.core.tripProvider("p")
      try a.core.setProviderEnabled("q", false)
      let list = try a.core.editWatchlist(.heXiangu, .add(Symbol("IWM")))
      #expect(await a.store.writePending())

      // A second instance starts: its store runs as the application runs it, and reconciles
      // as soon as Redis is reachable.
      let b = Instance("b", client: client, clock: clock)
      #expect(b.breaker("p") == .closed)
      let running = Task { try await b.store.run() }
      defer { running.cancel() }
      #expect(await eventually { b.store.hasReconciled })
      #expect(b.breaker("p") == .forcedOpen)
      #expect(b.isEnabled("q") == false)
      #expect(b.core.watchlist(.heXiangu) == list)
      #expect(b.said("reconciled: provider p tripped by a (from Redis)"))
      #expect(b.said("reconciled: provider q disabled by a (from Redis)"))
      #expect(b.said("reconciled: he-xiangu watchlist (6 symbols) by a (from Redis)"))
      #expect(b.store.statistics.applied == 3)
      // What b applied from Redis is not b's to write or announce.
      #expect(b.store.statistics.written == 0)
      #expect(b.announced.count == 0)
      #expect(b.core.operatorState.values.allSatisfy { !$0.isPending && $0.version.instance == "a" })

      // An action b takes is written as it is taken, and reaches a at its next reconciliation.
      try b.core.resetProvider("p")
      #expect(try await eventually { try await Self.stored(client, b.store, .breaker("p"))?.action == .reset("p") })
      #expect(await a.store.reconcile())
      #expect(a.breaker("p") == .closed)
    }
  }

  @Test func simultaneousActionsAreSettledByVersionThenInstanceID() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("a", client: client, clock: clock)
      let b = Instance("b", client: client, clock: clock)
      // The same millisecond, the same counter: only the instance id tells them apart.
      try a.core.tripProvider("p")
      try b.core.resetProvider("p")
      #expect(a.core.operatorState[.breaker("p")]?.version.wallMilliseconds == 1_764_417_600_000)
      #expect(b.core.operatorState[.breaker("p")]?.version.wallMilliseconds == 1_764_417_600_000)

      // b writes first; a's write comes later but is older ("a" < "b"): refused.
      #expect(await b.store.writePending())
      #expect(await a.store.writePending())
      #expect(a.store.statistics.refused == 1)
      #expect(try await Self.stored(client, a.store, .breaker("p"))?.action == .reset("p"))
      #expect(a.breaker("p") == .closed)
      #expect(a.said("conflict: provider p tripped here (1764417600000.0@a) lost to provider p reset by b"))
      #expect(a.said("kept the newer provider p reset"))

      // Written the other way round (two fresh instances, so neither has heard of the other
      // and their clocks read the same), "d" still wins: it replaces "c"'s stored value.
      let c = Instance("c", client: client, clock: clock)
      let d = Instance("d", client: client, clock: clock)
      try c.core.setProviderEnabled("q", false)
      try d.core.setProviderEnabled("q", true)
      #expect(await c.store.writePending())
      #expect(await d.store.writePending())
      #expect(try await Self.stored(client, c.store, .enabled("q"))?.action == .setEnabled("q", true))
      #expect(await c.store.reconcile())
      #expect(c.isEnabled("q") == true)
      #expect(c.said("reconciled: provider q enabled by d (from Redis)"))
      // c's write had been taken before d's replaced it: no conflict, just the newer value.
      #expect(!c.said("conflict:"))
      #expect(c.core.operatorState[.enabled("q")] == d.core.operatorState[.enabled("q")])
    }
  }

  @Test func aBusMessageOlderThanTheStateIsIgnoredAndOneWithoutAVersionApplied() throws {
    let clock = ManualClock(wallOrigin: Self.noon)
    let client = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
    let a = Instance("a", client: client, clock: clock)
    let bus = ClusterBus(client: client, channel: "c", instanceID: "a", core: a.core, logger: Self.logger)
    func message(_ action: String, wall: Int64?) -> [UInt8] {
      let stamp = wall.map { #","stamp":{"wall":\#($0),"counter":0,"instance":"b"}"# } ?? ""
      return Array(#"{"version":1,"instance":"b","action":"\#(action)","provider":"p"\#(stamp)}"#.utf8)
    }
    try a.core.tripProvider("p")
    // A reset b took a second before the trip, arriving late: ignored.
    bus.receive(message("reset", wall: 1_764_417_599_000))
    #expect(bus.statistics.stale == 1)
    #expect(a.breaker("p") == .forcedOpen)
    // One taken after it: applied, and its version kept.
    bus.receive(message("reset", wall: 1_764_417_601_000))
    #expect(bus.statistics.applied == 1)
    #expect(a.breaker("p") == .closed)
    #expect(a.core.operatorState[.breaker("p")]?.version.instance == "b")
    // From an instance that sends no version: applied as before.
    bus.receive(message("trip", wall: nil))
    #expect(bus.statistics.applied == 2)
    #expect(a.breaker("p") == .forcedOpen)
    // A malformed version is refused.
    bus.receive(
      Array(#"{"version":1,"instance":"b","action":"trip","provider":"p","stamp":{"wall":-1,"counter":0,"instance":"b"}}"#.utf8))
    #expect(bus.statistics.refused == 1)
  }

  @Test func theScriptComparesInstanceIDsAsBytesWhateverTheLocale() async throws {
    let server = try await RedisServer()
    let clock = ManualClock(wallOrigin: Self.noon)
    try await withRedisClient(server: server) { client throws in
      let a = Instance("B-host", client: client, clock: clock)
      let lower = StoredOperatorEntry(
        action: .reset("p"), version: HybridTimestamp(wallMilliseconds: 1_764_417_600_000, instance: "a-host"))
      _ = try await client.send(["HSET", a.store.hashKey, "provider:p:breaker", try #require(try lower.encoded())])
      try a.core.tripProvider("p")
      // "B-host" < "a-host" in bytes (and for HybridTimestamp): the stored reset stays.
      #expect(await a.store.writePending())
      #expect(try await Self.stored(client, a.store, .breaker("p")) == lower)
      #expect(a.breaker("p") == .closed)
    }
  }
}
