import Testing

@testable import CacheTiers

/// The pool's bookkeeping without connections or time: events in, decisions and health out.
@Suite struct RedisPoolStateTests {
  final class FakeConnection: RedisPoolMember {
    let name: String
    let protocolVersion: Int

    init(_ name: String, protocolVersion: Int = 3) {
      self.name = name
      self.protocolVersion = protocolVersion
    }
  }

  typealias Pool = RedisPoolState<FakeConnection>

  let start = ContinuousClock.now

  func running(size: Int = 2) -> Pool {
    var pool = Pool(size: size)
    let started = pool.start()
    #expect(started)
    return pool
  }

  /// The name of the connection the next command would go to, or the error it would get.
  func next(_ pool: inout Pool) -> Result<String, RedisError> {
    pool.next().map(\.name)
  }

  func connect(_ pool: inout Pool, _ name: String, slot: Int, protocolVersion: Int = 3) -> (Bool, Bool) {
    let outcome = pool.connected(FakeConnection(name, protocolVersion: protocolVersion), slot: slot)
    return (outcome.accepted, outcome.wasDown)
  }

  @Test func commandsGoRoundRobinOverLiveConnections() {
    var pool = running(size: 3)
    _ = connect(&pool, "a", slot: 0)
    _ = connect(&pool, "b", slot: 1)
    _ = connect(&pool, "c", slot: 2)
    let names = (0..<6).compactMap { _ in try? next(&pool).get() }
    #expect(names[0..<3].sorted() == ["a", "b", "c"])
    #expect(Array(names[0..<3]) == Array(names[3..<6]))
  }

  @Test func aLostConnectionTakesNoMoreCommands() {
    var pool = running()
    _ = connect(&pool, "a", slot: 0)
    _ = connect(&pool, "b", slot: 1)
    pool.lost(slot: 0, because: .timeout, at: start)
    let names = (0..<4).compactMap { _ in try? next(&pool).get() }
    #expect(names == ["b", "b", "b", "b"])
    #expect(pool.health(now: start) == .connected(protocolVersion: 3))
    #expect(pool.openConnections == 1)
  }

  @Test func withoutALiveConnectionCommandsFailAtOnceWithTheReason() {
    var idle = Pool(size: 1)
    let notRunning = next(&idle)
    #expect(notRunning == .failure(.unavailable(reason: "the Redis client is not running")))

    var pool = running()
    let connecting = next(&pool)
    #expect(connecting == .failure(.unavailable(reason: "connecting")))

    pool.connectFailed(.unavailable(reason: "cannot connect to h:1: connection refused"), at: start)
    let refused = next(&pool)
    #expect(refused == .failure(.unavailable(reason: "cannot connect to h:1: connection refused")))

    pool.connectFailed(.authenticationFailed("WRONGPASS invalid username-password pair"), at: start)
    let unauthenticated = next(&pool)
    #expect(unauthenticated == .failure(.authenticationFailed("WRONGPASS invalid username-password pair")))

    _ = pool.stop()
    let stopped = next(&pool)
    #expect(stopped == .failure(.unavailable(reason: "the Redis client has stopped")))
  }

  @Test func healthFollowsTheConnections() {
    var pool = Pool(size: 2)
    #expect(pool.health(now: start) == .notRunning)
    let started = pool.start()
    #expect(started)
    #expect(pool.health(now: start) == .connecting)
    let first = connect(&pool, "a", slot: 0, protocolVersion: 2)
    #expect(first == (true, true))
    let second = connect(&pool, "b", slot: 1, protocolVersion: 2)
    #expect(second == (true, false))
    #expect(pool.health(now: start) == .connected(protocolVersion: 2))
    pool.lost(slot: 0, because: .unavailable(reason: "connection closed by the server"), at: start)
    #expect(pool.health(now: start) == .connected(protocolVersion: 2))
    let lastLoss = start + .seconds(1)
    pool.lost(slot: 1, because: .unavailable(reason: "connection closed by the server"), at: lastLoss)
    #expect(
      pool.health(now: lastLoss + .seconds(5))
        == .down(reason: "connection lost: connection closed by the server", since: lastLoss))
  }

  @Test func downSinceIsWhenRedisWentAwayNotTheLatestAttempt() {
    var pool = running(size: 1)
    pool.connectFailed(.unavailable(reason: "refused"), at: start)
    pool.connectFailed(.unavailable(reason: "refused again"), at: start + .seconds(3))
    #expect(pool.health(now: start + .seconds(4)) == .down(reason: "refused again", since: start))
    let reconnected = connect(&pool, "a", slot: 0)
    #expect(reconnected == (true, true))
    pool.lost(slot: 0, because: .timeout, at: start + .seconds(10))
    #expect(
      pool.health(now: start + .seconds(11))
        == .down(reason: "connection lost: Redis command timed out", since: start + .seconds(10)))
  }

  @Test func aStoppedPoolHandsBackItsConnectionsAndTakesNoNewOnes() {
    var pool = running()
    _ = connect(&pool, "a", slot: 0)
    let held = pool.stop().map(\.name)
    #expect(held == ["a"])
    let late = connect(&pool, "late", slot: 1)
    #expect(late == (false, false))
    #expect(pool.health(now: start) == .notRunning)
    let restarted = pool.start()
    #expect(!restarted)
  }

  @Test func aPoolRunsOnce() {
    var pool = running()
    let again = pool.start()
    #expect(!again)
  }
}
