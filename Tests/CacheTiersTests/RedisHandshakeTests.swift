import CacheTiers
import MarketCore
import MarketTesting
import Testing

/// Authentication, database selection and the protocol version, against real servers.
@Suite struct RedisHandshakeTests {
  static let password = "pass-7f3a-never-shown"

  @Test func theRightPasswordConnects() async throws {
    let server = try await RedisServer(arguments: ["--requirepass", Self.password])
    try await withRedisClient(server: server, configure: { $0.password = Secret(Self.password) }) { client throws in
      #expect(try await client.send(["PING"]) == .simpleString("PONG"))
    }
  }

  @Test(arguments: [RedisProtocolPreference.resp3, .resp2])
  func aWrongPasswordFailsClearlyWithoutShowingIt(protocolPreference: RedisProtocolPreference) async throws {
    let server = try await RedisServer(arguments: ["--requirepass", Self.password])
    let wrong = "wrong-\(Self.password)"
    try await withRedisClient(
      server: server, waitsForConnection: false,
      configure: {
        $0.password = Secret(wrong)
        $0.protocolPreference = protocolPreference
      }
    ) { client throws in
      #expect(await eventually { if case .down = client.health { true } else { false } })
      let error = try #require(await redisError { try await client.get("k") })
      guard case .authenticationFailed = error else {
        Issue.record("expected an authentication failure, got \(error)")
        return
      }
      #expect(error.description.contains("authentication failed"))
      for text in [error.description, "\(error)", String(reflecting: error), client.health.description] {
        #expect(!text.contains(wrong))
        #expect(!text.contains(Self.password))
      }
    }
  }

  @Test func noPasswordForAServerThatWantsOneIsAnAuthenticationFailure() async throws {
    let server = try await RedisServer(arguments: ["--requirepass", Self.password])
    try await withRedisClient(server: server, waitsForConnection: false) { client throws in
      #expect(await eventually { if case .down = client.health { true } else { false } })
      guard case .authenticationFailed(let message) = await redisError({ try await client.get("k") }) else {
        Issue.record("expected an authentication failure")
        return
      }
      #expect(message.hasPrefix("NOAUTH"))
    }
  }

  @Test(arguments: [RedisProtocolPreference.resp3, .resp2])
  func anACLUserConnectsWithItsPassword(protocolPreference: RedisProtocolPreference) async throws {
    let server = try await RedisServer(arguments: ["--user", "cache", "on", ">\(Self.password)", "~v1:*", "+@all"])
    let configuration = try RedisConfiguration(url: "redis://cache:\(Self.password)@\(server.host):\(server.port)")
    try await withRedisClient(
      server: server,
      configure: {
        $0.username = configuration.username
        $0.password = configuration.password
        $0.protocolPreference = protocolPreference
      }
    ) { client throws in
      try await client.set("v1:quote:AAPL", [1], expiresIn: nil)
      #expect(try await client.get("v1:quote:AAPL") == [1])
      // The user may only touch v1:* keys: the server's refusal is a server error.
      guard case .serverError(let message) = await redisError({ try await client.get("other") }) else {
        Issue.record("expected the ACL to refuse the key")
        return
      }
      #expect(message.hasPrefix("NOPERM"))
    }
  }

  @Test func anACLUserWithAWrongPasswordIsRefused() async throws {
    let server = try await RedisServer(arguments: ["--user", "cache", "on", ">\(Self.password)", "~*", "+@all"])
    try await withRedisClient(
      server: server, waitsForConnection: false,
      configure: {
        $0.username = "cache"
        $0.password = Secret("not-it")
      }
    ) { client throws in
      #expect(await eventually { if case .down = client.health { true } else { false } })
      let error = await redisError { try await client.get("k") }
      guard case .authenticationFailed(let message) = error else {
        Issue.record("expected an authentication failure, got \(String(describing: error))")
        return
      }
      #expect(message.hasPrefix("WRONGPASS"))
      #expect(!message.contains("not-it"))
    }
  }

  @Test func theDatabaseIndexIsolatesKeys() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.database = 3 }) { three throws in
      try await withRedisClient(server: server, configure: { $0.database = 5 }) { five throws in
        try await three.set("shared-name", [3], expiresIn: nil)
        try await five.set("shared-name", [5], expiresIn: nil)
        #expect(try await three.get("shared-name") == [3])
        #expect(try await five.get("shared-name") == [5])
        // Every pooled connection selected the database, not only the first.
        for _ in 0..<8 { #expect(try await three.get("shared-name") == [3]) }
      }
      try await withRedisClient(server: server) { zero throws in
        #expect(try await zero.get("shared-name") == nil)
      }
    }
  }

  @Test func aDatabaseTheServerDoesNotHaveKeepsTheClientDown() async throws {
    let server = try await RedisServer(arguments: ["--databases", "4"])
    try await withRedisClient(server: server, waitsForConnection: false, configure: { $0.database = 9 }) {
      client throws in
      #expect(await eventually { if case .down = client.health { true } else { false } })
      guard case .unavailable(let reason) = await redisError({ try await client.get("k") }) else {
        Issue.record("expected the client to be unavailable")
        return
      }
      #expect(reason.contains("SELECT 9"))
    }
  }

  @Test func resp3IsSpokenWhenTheServerOffersIt() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server) { client throws in
      #expect(client.health == .connected(protocolVersion: 3))
      #expect(try await client.send(["HGETALL", "missing"]) == .map([]))
      #expect(try await client.get("missing") == nil)
    }
  }

  @Test func resp2CanBeForced() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.protocolPreference = .resp2 }) { client throws in
      #expect(client.health == .connected(protocolVersion: 2))
      #expect(try await client.send(["HGETALL", "missing"]) == .array([]))
      #expect(try await client.get("missing") == nil)
      #expect(try await client.setIfAbsent("k", [1], expiresIn: .seconds(5)) == true)
      #expect(try await client.setIfAbsent("k", [1], expiresIn: .seconds(5)) == false)
    }
  }

  /// A server without HELLO (like Redis before 6) answers it with an unknown-command error;
  /// the client carries on in RESP2, authenticating with AUTH.
  @Test func aServerThatRefusesHelloGetsResp2() async throws {
    let server = try await RedisServer(arguments: ["--rename-command", "HELLO", "", "--requirepass", Self.password])
    try await withRedisClient(server: server, configure: { $0.password = Secret(Self.password) }) { client throws in
      #expect(client.health == .connected(protocolVersion: 2))
      try await client.set("k", [7], expiresIn: nil)
      #expect(try await client.get("k") == [7])
    }
  }

  @Test func theClientNamesItsConnections() async throws {
    let server = try await RedisServer()
    try await withRedisClient(server: server, configure: { $0.clientName = "lianyaohu-test" }) { client throws in
      #expect(try await client.send(["CLIENT", "GETNAME"]).string == "lianyaohu-test")
    }
  }
}
