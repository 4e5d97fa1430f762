import CacheTiers
import MarketTesting
import Testing

/// The commands the cache tier uses, against a real server.
@Suite struct RedisCommandTests {
  @Test func setThenGetReturnsTheBytes() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let payload: [UInt8] = [0, 1, 13, 10, 255, 36]
      try await client.set("quote:AAPL", payload, expiresIn: nil)
      #expect(try await client.get("quote:AAPL") == payload)
      #expect(try await client.get("quote:MISSING") == nil)
      try await client.set("empty", [], expiresIn: nil)
      #expect(try await client.get("empty") == [])
    }
  }

  @Test func expiryIsSetInMilliseconds() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      try await client.set("short", [1], expiresIn: .seconds(60))
      let remaining = try await client.pttl("short")
      #expect(remaining > 0 && remaining <= 60_000)
      try await client.set("forever", [1], expiresIn: nil)
      #expect(try await client.pttl("forever") == -1)
      #expect(try await client.pttl("absent") == -2)
    }
  }

  @Test func setIfAbsentSetsOnlyOnce() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      #expect(try await client.setIfAbsent("lock", [1], expiresIn: .seconds(30)) == true)
      #expect(try await client.setIfAbsent("lock", [2], expiresIn: .seconds(30)) == false)
      #expect(try await client.get("lock") == [1])
      #expect(try await client.pttl("lock") > 0)
    }
  }

  @Test func mgetKeepsTheOrderAndMarksMissingKeys() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      try await client.set("a", [1], expiresIn: nil)
      try await client.set("c", [3], expiresIn: nil)
      #expect(try await client.mget(["a", "b", "c", "d"]) == [[1], nil, [3], nil])
      #expect(try await client.mget([]) == [])
    }
  }

  @Test func deleteCountsTheKeysThatExisted() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      try await client.set("x", [1], expiresIn: nil)
      try await client.set("y", [1], expiresIn: nil)
      #expect(try await client.delete(["x", "y", "z"]) == 2)
      #expect(try await client.get("x") == nil)
      #expect(try await client.delete([]) == 0)
    }
  }

  @Test func deleteMatchingRemovesEveryMatchAcrossScanPages() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      // More keys than one SCAN page, so the walk takes several cursors.
      let keys = (0..<2500).map { "v1:quote:S\($0)" }
      let writes = keys.map { RedisCommand("SET", [$0, "1"]) } + [RedisCommand("SET", ["v1:other", "1"])]
      for result in try await client.pipeline(writes) { _ = try result.get() }
      #expect(try await client.deleteMatching("v1:quote:*") == 2500)
      #expect(try await client.get("v1:quote:S7") == nil)
      #expect(try await client.get("v1:other") == [UInt8(ascii: "1")])
      #expect(try await client.deleteMatching("v1:quote:*") == 0)
    }
  }

  @Test func aPipelineOfAThousandCommandsRepliesInOrder() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let commands = (0..<1000).map { RedisCommand("INCRBY", ["counter"]).appending($0) }
      let replies = try await client.pipeline(commands)
      var expected: Int64 = 0
      for (index, reply) in replies.enumerated() {
        expected += Int64(index)
        #expect(try reply.get() == .integer(expected))
      }
      #expect(replies.count == 1000)
    }
  }

  @Test func anErrorReplyFailsOnlyItsCommandInAPipeline() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let replies = try await client.pipeline([["SET", "k", "v"], ["INCR", "k"], ["GET", "k"]])
      #expect(try replies[0].get() == .simpleString("OK"))
      guard case .failure(.serverError(let message)) = replies[1] else {
        Issue.record("expected a server error, got \(replies[1])")
        return
      }
      #expect(message.hasPrefix("ERR value is not an integer"))
      #expect(try replies[2].get().string == "v")
    }
  }

  @Test func concurrentCommandsAllGetTheirOwnReplies() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<32 {
          group.addTask {
            for round in 0..<50 {
              let key = "task\(task):\(round)"
              try await client.set(key, Array(key.utf8), expiresIn: nil)
              #expect(try await client.get(key) == Array(key.utf8))
            }
          }
        }
        try await group.waitForAll()
      }
      #expect(client.statistics.commandsSent >= 32 * 50 * 2)
    }
  }

  @Test func aServerErrorIsThrownWithItsMessage() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      _ = try await client.send(["LPUSH", "list", "a"])
      let error = await redisError { try await client.get("list") }
      guard case .serverError(let message) = error else {
        Issue.record("expected a server error, got \(String(describing: error))")
        return
      }
      #expect(message.hasPrefix("WRONGTYPE"))
      #expect(client.statistics.failures >= 1)
    }
  }

  @Test func commandsThatWouldDesynchroniseThePoolAreRefused() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      for words in [["subscribe", "x"], ["SELECT", "1"], ["MULTI"], ["AUTH", "secret"], []] {
        guard case .invalidCommand(let reason) = await redisError({ try await client.send(words) }) else {
          Issue.record("\(words.first ?? "empty") was not refused")
          continue
        }
        #expect(!reason.contains("secret"))
      }
      #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
  }

  @Test func binaryPayloadsSurviveSendAndPublish() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      let payload = (0...255).map { UInt8($0) }
      _ = try await client.send(RedisCommand("SET", ["bin"]).appending(payload))
      #expect(try await client.send(["GET", "bin"]).bytes == payload)
      #expect(try await client.publish("nobody-listens", payload) == 0)
    }
  }
}
