import Foundation
import Logging
import MarketCore
import MarketTesting
import Synchronization
import Testing

@testable import CacheTiers

/// The Redis tier and the cluster bus against a real `redis-server`, through the core: what
/// two instances sharing one Redis see.
@Suite struct RedisQuoteTierTests {
  static let logger = Logger(label: "test.redis-tier")

  /// A core over one scripted provider and the Redis tier, on its own key prefix.
  struct Instance {
    let core: MarketDataCore
    let tier: RedisQuoteTier
    let upstream: ScriptedProvider

    init(client: RedisClient, prefix: String, price: Double, clock: ManualClock) {
      upstream = ScriptedProvider(id: "p", price: price, clock: clock)
      var options = RedisQuoteTier.Options()
      options.prefix = prefix
      tier = RedisQuoteTier(client: client, options: options, logger: RedisQuoteTierTests.logger)
      core = MarketDataCore(providers: [ProviderRegistration(upstream)], clock: clock, tiers: [tier])
    }
  }

  /// Runs `body` with a connected client and `tiers` running as services would run them.
  func withRunning(
    _ server: RedisServer, _ body: (RedisClient, _ run: @escaping @Sendable (RedisQuoteTier) -> Void) async throws -> Void
  ) async throws {
    try await withRedisClient(server: server) { client in
      let writers = Mutex<[Task<Void, any Error>]>([])
      defer { for writer in writers.withLock({ $0 }) { writer.cancel() } }
      try await body(client) { tier in writers.withLock { $0.append(Task { try await tier.run() }) } }
    }
  }

  /// Runs `body` with a fresh server and one running instance on `prefix`.
  func withOneInstance(
    prefix: String, price: Double, _ body: (RedisServer, RedisClient, Instance) async throws -> Void
  ) async throws {
    let server = try await RedisServer()
    try await withRunning(server) { client, run in
      let instance = Instance(client: client, prefix: prefix, price: price, clock: ManualClock(wallOrigin: Date()))
      run(instance.tier)
      try await body(server, client, instance)
    }
  }

  @Test func aQuoteOneInstanceFetchedIsServedByTheOtherWithoutAnUpstreamCall() async throws {
    let server = try await RedisServer()
    try await withRunning(server) { client, run in
      let clock = ManualClock(wallOrigin: Date())
      let prefix = "t\(UInt32.random(in: 0...UInt32.max)):"
      let a = Instance(client: client, prefix: prefix, price: 10, clock: clock)
      let b = Instance(client: client, prefix: prefix, price: 20, clock: clock)
      run(a.tier)
      run(b.tier)
      _ = try await a.core.quote(Symbol("AAPL"))
      await a.tier.flush()
      let lifetime = try await client.pttl(a.tier.key(for: Symbol("AAPL")))
      #expect(lifetime > 0)

      let served = try await b.core.quote(Symbol("AAPL"))
      #expect(served.origin == .sharedTier)
      #expect(served.quote.price == 10)
      #expect(b.upstream.callCount == 0)
      #expect(b.tier.statistics.hits == 1)
    }
  }

  @Test func anEntryThatCannotBeReadIsSkippedAndTheProviderAsked() async throws {
    try await withOneInstance(prefix: "garbage:", price: 5) { _, client, instance in
      try await client.set(instance.tier.key(for: Symbol("MSFT")), Array("not an entry".utf8), expiresIn: .seconds(60))
      let served = try await instance.core.quote(Symbol("MSFT"))
      #expect(served.origin == .upstream)
      #expect(instance.tier.problems.unreadableEntries == 1)
    }
  }

  @Test func invalidationByPrefixDeletesOnlyThoseKeys() async throws {
    try await withOneInstance(prefix: "inv:", price: 5) { _, client, instance in
      _ = await instance.core.quotes([Symbol("BTC-USD"), Symbol("BTC-EUR"), Symbol("ETH-USD")])
      await instance.tier.flush()
      instance.core.invalidate(.prefix("v1:quote:BTC"))
      await instance.tier.flush()
      let btcUSD = try await client.get(instance.tier.key(for: Symbol("BTC-USD")))
      let btcEUR = try await client.get(instance.tier.key(for: Symbol("BTC-EUR")))
      let ethUSD = try await client.get(instance.tier.key(for: Symbol("ETH-USD")))
      #expect(btcUSD == nil)
      #expect(btcEUR == nil)
      #expect(ethUSD != nil)
      #expect(await instance.tier.countEntries() == 1)
    }
  }

  @Test func aSymbolInvalidatedOnOneInstanceLeavesTheSymbolsItIsTheStartOfEverywhere() async throws {
    let server = try await RedisServer()
    try await withRunning(server) { client, run in
      let clock = ManualClock(wallOrigin: Date())
      let prefix = "exact\(UInt32.random(in: 0...UInt32.max)):"
      let channel = prefix + "events"
      let a = Instance(client: client, prefix: prefix, price: 10, clock: clock)
      let b = Instance(client: client, prefix: prefix, price: 20, clock: clock)
      run(a.tier)
      run(b.tier)
      let busA = ClusterBus(client: client, channel: channel, instanceID: "a", core: a.core, logger: Self.logger)
      let busB = ClusterBus(client: client, channel: channel, instanceID: "b", core: b.core, logger: Self.logger)
      let running = [Task { try await busA.run() }, Task { try await busB.run() }]
      defer { for task in running { task.cancel() } }
      #expect(await eventually { (try? await client.publish(channel, Array("{}".utf8))) == 2 })

      let symbols = [Symbol("BA"), Symbol("BABA"), Symbol("BTC"), Symbol("BTC-USD")]
      _ = await a.core.quotes(symbols)
      await a.tier.flush()
      _ = await b.core.quotes(symbols)
      #expect(b.upstream.callCount == 0)

      #expect(a.core.invalidate(.symbol(Symbol("BA"))) == 1)
      #expect(a.core.invalidate(.symbol(Symbol("BTC"))) == 1)
      await a.tier.flush()
      #expect(await eventually { b.core.lastKnown(Symbol("BTC")) == nil && b.core.lastKnown(Symbol("BA")) == nil })
      for survivor in [Symbol("BABA"), Symbol("BTC-USD")] {
        let stored = try await client.get(a.tier.key(for: survivor))
        let served = try await b.core.quote(survivor)
        #expect(stored != nil, "\(survivor) left Redis")
        #expect(served.origin == .memory, "\(survivor) left B's memory")
      }
      for gone in [Symbol("BA"), Symbol("BTC")] {
        let stored = try await client.get(a.tier.key(for: gone))
        #expect(stored == nil, "\(gone) stayed in Redis")
      }
    }
  }

  @Test func withRedisStoppedTheCoreServesFromL1AndProvidersThenUsesRedisAgain() async throws {
    try await withOneInstance(prefix: "down:", price: 7) { server, client, instance in
      _ = try await instance.core.quote(Symbol("AAPL"))
      await server.stop()
      #expect(await eventually { instance.tier.statistics.unavailable != nil })
      // L1 still answers, and a miss goes to the provider instead of failing.
      let cached = try await instance.core.quote(Symbol("AAPL"))
      let fetched = try await instance.core.quote(Symbol("NVDA"))
      #expect(cached.origin == .memory)
      #expect(fetched.origin == .upstream)

      try await server.restart()
      #expect(await eventually { client.health.isConnected })
      #expect(instance.tier.statistics.unavailable == nil)
      _ = try await instance.core.quote(Symbol("TSLA"))
      #expect(await eventually { (try? await client.get(instance.tier.key(for: Symbol("TSLA")))) != nil })
    }
  }

  @Test func operatorActionsReachTheOtherInstanceButNeverEchoBack() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client in
      let clock = ManualClock(wallOrigin: Date())
      let channel = "bus\(UInt32.random(in: 0...UInt32.max))"
      let a = MarketDataCore(providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], clock: clock)
      let b = MarketDataCore(providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], clock: clock)
      let busA = ClusterBus(client: client, channel: channel, instanceID: "a", core: a, logger: Self.logger)
      let busB = ClusterBus(client: client, channel: channel, instanceID: "b", core: b, logger: Self.logger)
      let running = [Task { try await busA.run() }, Task { try await busB.run() }]
      defer { for task in running { task.cancel() } }
      // Both subscriptions are live once a publish reaches two subscribers.
      #expect(await eventually { (try? await client.publish(channel, Array("{}".utf8))) == 2 })

      try a.tripProvider("p")
      #expect(await eventually { b.providerStatuses().first?.breaker.state == .forcedOpen })
      let list = try a.editWatchlist(.luDongbin, .add(Symbol("GOOGL")))
      #expect(await eventually { b.watchlists[.luDongbin] == list })
      try b.resetProvider("p")
      #expect(await eventually { a.providerStatuses().first?.breaker.state == .closed })

      // A bus counts a publish once the server has taken it, which can be after the other
      // instance has already applied the message: wait for the counts rather than read them.
      #expect(await eventually { busA.statistics.published == 2 && busB.statistics.published == 1 })
      #expect(await eventually { busA.statistics.applied == 1 && busB.statistics.applied == 2 })
      #expect(busA.statistics.published == 2)
      #expect(busB.statistics.published == 1)
      #expect(busA.statistics.applied == 1)
      #expect(busB.statistics.applied == 2)
      // Nobody applied their own messages, nor re-published what they applied.
      #expect(b.recentEvents.contains { $0.summary == "provider p tripped by operator from instance a" })
    }
  }

  @Test func aMalformedClusterMessageIsRefusedAndCounted() throws {
    let clock = ManualClock()
    let core = MarketDataCore(providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], clock: clock)
    let client = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
    let bus = ClusterBus(client: client, channel: "c", instanceID: "me", core: core, logger: Self.logger)
    for payload in [
      "not json", "{}", #"{"version":2,"instance":"x","action":"trip","provider":"p"}"#,
      #"{"version":1,"instance":"x","action":"launch"}"#,
      #"{"version":1,"instance":"x","action":"watchlist","immortal":"zhong-kui","watchlist":[]}"#,
      #"{"version":1,"instance":"x","action":"invalidate","scope":"key","target":"v9:quote:AAPL"}"#,
      #"{"version":1,"instance":"x","action":"trip","provider":"nope"}"#,
    ] {
      bus.receive(Array(payload.utf8))
    }
    bus.receive(Array(String(repeating: " ", count: 70_000).utf8))
    #expect(bus.statistics.refused == 8)
    #expect(bus.statistics.applied == 0)
    // Its own echo is ignored, not applied a second time.
    bus.receive(Array(#"{"version":1,"instance":"me","action":"trip","provider":"p"}"#.utf8))
    #expect(bus.statistics.applied == 0)
    #expect(core.providerStatuses().first?.breaker.state == .closed)
  }

  @Test func clusterMessagesRoundTripEveryAction() throws {
    let actions: [OperatorAction] = [
      .trip("a"), .reset("b"), .setEnabled("c", true), .setEnabled("c", false),
      .setWatchlist(
        .heXiangu, Watchlist(entries: [.init(symbol: Symbol("SPY"), isActive: false), .init(symbol: Symbol("^VIX"))])),
      .invalidate(.all), .invalidate(.symbol(Symbol("EURUSD=X"))), .invalidate(.prefix("v1:quote:BT")),
      .invalidate(.key(CacheKey(.quote, Symbol("600519.SS")))),
    ]
    for action in actions {
      let message = ClusterMessage(instance: "i", action: action)
      let decoded = try JSONDecoder().decode(ClusterMessage.self, from: JSONEncoder().encode(message))
      #expect(try decoded.operatorAction() == action)
    }
  }
}
