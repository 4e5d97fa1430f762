import CacheTiers
import MarketTesting
import Testing

/// The `redis-server` harness the Redis tests stand on, and the helpers they share.
@Suite struct RedisServerHarnessTests {
  @Test func aServerAnswersOnItsOwnPort() async throws {
    let first = try await RedisServer()
    let second = try await RedisServer()
    #expect(first.port != second.port)
    #expect(first.isRunning && second.isRunning)
    try await withRedisClient(server: first) { client throws in
      #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
  }

  @Test func aStoppedServerRestartsOnTheSamePort() async throws {
    let server = try await RedisServer()
    let port = server.port
    await server.stop()
    #expect(!server.isRunning)
    try await server.restart()
    #expect(server.isRunning)
    #expect(server.port == port)
    try await withRedisClient(server: server) { client throws in
      #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
  }

  @Test func extraArgumentsReachTheServer() async throws {
    let server = try await RedisServer(arguments: ["--maxmemory-policy", "allkeys-lru"])
    try await withRedisClient(server: server) { client throws in
      let reply = try await client.send(["CONFIG", "GET", "maxmemory-policy"])
      let words = try #require(reply.elements ?? reply.mapEntries).compactMap(\.string)
      #expect(words == ["maxmemory-policy", "allkeys-lru"])
    }
  }
}

extension RESPValue {
  /// A map's keys and values in order, for replies that are maps in RESP3 and arrays in RESP2.
  var mapEntries: [RESPValue]? {
    if case .map(let entries) = self { entries.flatMap { [$0.key, $0.value] } } else { nil }
  }
}

extension RedisConfiguration {
  /// For tests: the server's address, quick reconnects, and timeouts generous enough for a
  /// loaded machine (tests that want a timeout set a short one).
  static func testing(_ server: RedisServer) -> RedisConfiguration {
    var configuration = RedisConfiguration(host: server.host, port: server.port)
    configuration.connectTimeout = .generousTimeout
    configuration.commandTimeout = .generousTimeout
    configuration.poolSize = 2
    configuration.reconnectBackoff = RedisReconnectBackoff(minimum: .milliseconds(10), maximum: .milliseconds(100))
    configuration.keepAliveInterval = .milliseconds(200)
    return configuration
  }
}

/// Runs `body` with a running client of `server`, connected unless `waitsForConnection` is
/// false; stops the client afterwards and checks it stopped.
func withRedisClient(
  server: RedisServer, waitsForConnection: Bool = true, configure: (inout RedisConfiguration) -> Void = { _ in },
  _ body: (RedisClient) async throws -> Void
) async throws {
  var configuration = RedisConfiguration.testing(server)
  configure(&configuration)
  let client = RedisClient(configuration: configuration)
  let running = Task { try await client.run() }
  do {
    if waitsForConnection {
      try #require(await eventually { client.health.isConnected }, "client never connected: \(client.health)")
    }
    try await body(client)
  } catch {
    running.cancel()
    _ = await running.result
    throw error
  }
  running.cancel()
  try await running.value
  #expect(client.health == .notRunning)
}

/// Whether `condition` becomes true within a minute: MarketTesting's `eventually` with a
/// bound generous enough for the whole suite on a loaded 2-core machine, which can starve
/// every task for tens of seconds. The bound only stops a broken test from hanging.
func eventually(_ condition: () async throws -> Bool) async rethrows -> Bool {
  try await MarketTesting.eventually(within: .seconds(60), condition)
}

/// The `RedisError` a call threw (`nil` when it returned), for checking its kind.
func redisError<T>(_ body: () async throws -> T) async -> RedisError? {
  do {
    _ = try await body()
    return nil
  } catch let error as RedisError {
    return error
  } catch {
    Issue.record("not a RedisError: \(error)")
    return nil
  }
}
