import CacheTiers
import MarketTesting
import Testing

/// Redis going away, coming back, and hanging: commands fail fast with the right kind of
/// error and the same client recovers by itself.
@Suite struct RedisResilienceTests {
  @Test func theClientResumesAfterAServerRestart() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      var messages = client.subscribe(["events"]).makeAsyncIterator()
      #expect(try await eventually { try await client.publish("events", [1]) == 1 })
      #expect(await messages.next()?.payload == [1])
      try await client.set("before", [1], expiresIn: nil)

      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      let whileDown = await redisError { try await client.get("before") }
      guard case .unavailable = whileDown else {
        Issue.record("expected unavailable while the server is down, got \(String(describing: whileDown))")
        return
      }

      try await server.restart()
      #expect(await eventually { (try? await client.set("after", [2], expiresIn: nil)) != nil })
      #expect(try await client.get("after") == [2])
      #expect(client.health == .connected(protocolVersion: 3))
      // The subscriber reconnected and subscribed again by itself.
      #expect(try await eventually { try await client.publish("events", [3]) == 1 })
      #expect(await messages.next()?.payload == [3])
      #expect(client.statistics.reconnects >= 2)
    }
  }

  @Test func commandsFailFastWhileTheServerIsDown() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      await server.stop()
      #expect(await eventually { if case .down = client.health { true } else { false } })
      guard case .down(let reason, _) = client.health else { return }
      #expect(!reason.isEmpty)
      for _ in 0..<100 {
        let error = await redisError { try await client.get("k") }
        guard case .unavailable = error else {
          Issue.record("expected unavailable, got \(String(describing: error))")
          return
        }
      }
      // They failed without waiting on a connection: none of them ran into its timeout.
      #expect(client.statistics.timeouts == 0)
      #expect(client.statistics.failures >= 100)
    }
  }

  @Test func aClientWithNoServerIsDownWithTheReason() async throws {
    let server = try await RedisServer()
    await server.stop()
    try await withRedisClient(server: server, waitsForConnection: false) { client throws in
      #expect(await eventually { if case .down = client.health { true } else { false } })
      guard case .down(let reason, _) = client.health else { return }
      #expect(reason.contains("cannot connect to 127.0.0.1:\(server.port)"))
      #expect(reason.contains("refused"))
      guard case .unavailable = await redisError({ try await client.get("k") }) else {
        Issue.record("expected unavailable")
        return
      }
    }
  }

  @Test func aCommandWithoutAReplyTimesOutAndTheClientRecovers() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.commandTimeout = .milliseconds(200) }) { client throws in
      try await withRedisClient(server: server) { admin throws in
        try await client.set("k", [1], expiresIn: nil)
        // The server stops answering everyone else for six seconds: long enough that a test
        // process starved by a loaded machine still sends both reads inside the pause (with
        // two, CI once saw the pipeline answered). A pause cannot be lifted early: UNPAUSE
        // waits like any other command.
        #expect(try await admin.send(["CLIENT", "PAUSE", "6000", "ALL"]) == .simpleString("OK"))
        let single = await redisError { try await client.get("k") }
        #expect(single == .timeout)
        let pipelined = await redisError { try await client.pipeline([["GET", "k"], ["GET", "k"]]) }
        #expect(pipelined == .timeout)
        #expect(client.statistics.timeouts >= 2)
        // Timed-out connections were closed and replaced; once the pause ends the same
        // client answers again, and every reply is the one asked for.
        #expect(await eventually { (try? await client.get("k")) == [1] })
        try await client.set("k2", [2], expiresIn: nil)
        #expect(try await client.mget(["k", "k2"]) == [[1], [2]])
        #expect(client.statistics.reconnects >= 1)
      }
    }
  }

  @Test func killedConnectionsAreReplaced() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      try await withRedisClient(server: server) { admin throws in
        _ = try await admin.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
        // The pool notices (some commands may fail meanwhile) and reconnects by itself.
        #expect(await eventually { (try? await client.send(["PING"])) == .simpleString("PONG") })
        #expect(await eventually { client.statistics.reconnects >= 2 })
      }
    }
  }

  @Test func aClientThatIsNotRunningRefusesAtOnce() async throws {
    let client = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
    #expect(client.health == .notRunning)
    #expect(await redisError { try await client.get("k") } == .unavailable(reason: "the Redis client is not running"))
  }

  @Test func aClientRunsOnce() async throws {
    let server = try await RedisServer()
    let client = RedisClient(configuration: .testing(server))
    let running = Task { try await client.run() }
    #expect(await eventually { client.health.isConnected })
    running.cancel()
    try await running.value
    #expect(client.health == .notRunning)
    await #expect(throws: RedisError.self) { try await client.run() }
    #expect(await redisError { try await client.get("k") } == .unavailable(reason: "the Redis client has stopped"))
  }
}
