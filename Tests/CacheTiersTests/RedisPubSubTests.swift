import CacheTiers
import MarketTesting
import NIOCore
import Testing

/// Publish and subscribe, and push frames that must never be taken for replies.
@Suite struct RedisPubSubTests {
  @Test(arguments: [RedisProtocolPreference.resp3, .resp2])
  func aPublishReachesTheSubscriber(protocolPreference: RedisProtocolPreference) async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.protocolPreference = protocolPreference }) {
      client throws in
      var messages = client.subscribe(["quotes", "invalidations"]).makeAsyncIterator()
      // Subscribing takes a round trip on its own connection: publish until someone listens.
      #expect(try await eventually { try await client.publish("quotes", [1, 2, 3]) == 1 })
      _ = try await client.publish("invalidations", Array("v1:quote:AAPL".utf8))
      _ = try await client.publish("elsewhere", [9])
      var received: [RedisMessage] = []
      while let message = await messages.next() {
        received.append(message)
        if message.channel == "invalidations" { break }
      }
      #expect(received.first == RedisMessage(channel: "quotes", payload: [1, 2, 3]))
      #expect(received.last == RedisMessage(channel: "invalidations", payload: Array("v1:quote:AAPL".utf8)))
      #expect(!received.contains { $0.channel == "elsewhere" })
      #expect(client.statistics.messagesReceived >= 2)
    }
  }

  @Test func twoSubscribersEachGetTheirChannels() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      var first = client.subscribe(["a"]).makeAsyncIterator()
      var second = client.subscribe(["b"]).makeAsyncIterator()
      #expect(try await eventually { try await client.publish("a", [1]) == 1 })
      #expect(try await eventually { try await client.publish("b", [2]) == 1 })
      #expect(await first.next()?.channel == "a")
      #expect(await second.next()?.channel == "b")
    }
  }

  @Test func theStreamEndsWhenTheClientStops() async throws {
    let server = try await RedisServer()
    let client = RedisClient(configuration: .testing(server))
    let running = Task { try await client.run() }
    #expect(await eventually { client.health.isConnected })
    let messages = client.subscribe(["news"])
    #expect(try await eventually { try await client.publish("news", [1]) == 1 })
    running.cancel()
    try await running.value
    var count = 0
    for await _ in messages { count += 1 }
    #expect(count <= 1)
    // Subscribing to a stopped client gives a stream that has already ended.
    for await _ in client.subscribe(["late"]) { Issue.record("a stopped client delivered a message") }
  }

  @Test func endingTheIterationUnsubscribes() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      do {
        var messages = client.subscribe(["once"]).makeAsyncIterator()
        #expect(try await eventually { try await client.publish("once", [1]) == 1 })
        #expect(await messages.next()?.payload == [1])
      }
      // The iterator is gone: its connection closes and the server counts no subscriber.
      #expect(try await eventually { try await client.publish("once", [2]) == 0 })
    }
  }

  /// RESP3 tracking invalidations arrive as push frames between replies on a pooled
  /// connection; they must not be matched to the commands in flight.
  @Test func pushFramesBetweenRepliesDoNotConfuseThePipeline() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.poolSize = 1 }) { client throws in
      #expect(client.health == .connected(protocolVersion: 3))
      #expect(try await client.send(["CLIENT", "TRACKING", "ON"]) == .simpleString("OK"))
      let writer = RedisClient(configuration: .testing(server))
      let writing = Task { try await writer.run() }
      defer { writing.cancel() }
      #expect(await eventually { writer.health.isConnected })
      for round in 0..<20 {
        let keys = (0..<50).map { "tracked:\(round):\($0)" }
        for key in keys { try await writer.set(key, Array(key.utf8), expiresIn: nil) }
        // Reading makes the server track these keys for our connection...
        let values = try await client.mget(keys)
        #expect(values == keys.map { Array($0.utf8) })
        // ...so these writes push invalidations to it, while our pipeline is in flight.
        async let overwrite: Void = {
          for key in keys { try await writer.set(key, [0], expiresIn: nil) }
        }()
        let replies = try await client.pipeline(keys.map { RedisCommand("ECHO", [$0]) })
        #expect(try replies.map { try $0.get().string } == keys)
        try await overwrite
      }
      #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
  }
}
