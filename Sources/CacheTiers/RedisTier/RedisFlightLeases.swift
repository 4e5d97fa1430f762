import Logging
import MarketCore
import ServiceLifecycle
import Synchronization

/// Leases on upstream calls, shared by every instance of a fleet through Redis (see
/// ``ClusterFlights``). A key's lease is `prefix + flight: + <cache key>`
/// (`lianyaohu:flight:v1:quote:AAPL`), holding the holder's instance id, taken with
/// `SET NX PX` for ``Options/lease``. The holder deletes it when its value is in the shared
/// tier (a script that deletes only its own leases, then publishes each key on
/// `prefix + flights`). Waiters wake on that message; since pub/sub loses messages across
/// reconnects, ``run()`` also polls the leases being waited for (one pipeline of `PTTL`s per
/// ``Options/pollInterval``, however many wait), and each wait ends at its limit anyway. A
/// holder killed mid-call holds the key until its lease expires.
///
/// One instance holds a key at most once at a time, since its own single-flight already
/// collapsed its callers, so the instance id is token enough. Every command is bounded by
/// ``Options/timeout``: past it a claim is ``FlightClaim/unavailable`` and the instance asks
/// alone, as it would without a fleet.
public final class RedisFlightLeases: ClusterFlights, Service {
  public struct Options: Sendable {
    /// Every key starts with this (the Redis tier's prefix).
    public var prefix = "lianyaohu:"
    /// How long a lease lasts: longer than an upstream call with its failovers and hedges
    /// usually takes, short enough that the others do not wait long on a dead holder.
    public var lease: Duration = .seconds(5)
    /// The longest a claim or release waits for Redis. Longer than a cache read's: a claim
    /// precedes an upstream call the read waits for anyway, and giving up costs a second call.
    public var timeout: Duration = .seconds(1)
    /// How often the leases being waited for are checked, in case a release message was lost.
    public var pollInterval: Duration = .milliseconds(100)

    public init() {}
  }

  public let instanceID: String
  public let options: Options
  private let client: RedisClient
  private let clock: any MarketClock
  private let logger: Logger
  private let releasing = RedisScript(RedisFlightLeases.releaseScript)
  /// Waiters by lease key, each resumed once: by a release, the poll, or its limit. A waiter
  /// woken before it began to wait is remembered as woken, so it never does.
  private let waiters = Mutex<[String: [Int: Waiter]]>([:])
  private let nextWaiter = Atomic<Int>(0)

  private enum Waiter {
    case waiting(CheckedContinuation<Void, Never>)
    case woken
  }

  public init(
    client: RedisClient, instanceID: String, options: Options = Options(), clock: any MarketClock = SystemClock(),
    logger: Logger
  ) {
    self.client = client
    self.instanceID = instanceID
    self.options = options
    self.clock = clock
    self.logger = logger
  }

  /// The Redis key of one cache key's lease.
  public func leaseKey(for key: CacheKey) -> String { options.prefix + "flight:" + key.description }

  /// The channel releases are announced on.
  public var channel: String { options.prefix + "flights" }

  /// Deletes each lease only while it is still the caller's (another instance may have taken
  /// it after it expired), and announces the ones it deleted. KEYS: the leases; ARGV: the
  /// holder's id, the channel.
  static let releaseScript = """
    local released = 0
    for _, key in ipairs(KEYS) do
      if redis.call('GET', key) == ARGV[1] then
        redis.call('DEL', key)
        redis.call('PUBLISH', ARGV[2], key)
        released = released + 1
      end
    end
    return released
    """

  // MARK: ClusterFlights

  public func claim(_ keys: [CacheKey]) async -> [CacheKey: FlightClaim] {
    guard !keys.isEmpty else { return [:] }
    let lease = String(RedisClient.milliseconds(options.lease))
    var commands: [[String]] = []
    commands.reserveCapacity(keys.count * 3)
    for key in keys {
      let leaseKey = leaseKey(for: key)
      commands += [["SET", leaseKey, instanceID, "NX", "PX", lease], ["GET", leaseKey], ["PTTL", leaseKey]]
    }
    let reply = await RedisClient.within(options.timeout) { [client, commands] () async throws(RedisError) in
      try await client.pipeline(commands)
    }
    guard case .success(let replies) = reply, replies.count == commands.count else {
      return Dictionary(keys.map { ($0, .unavailable) }) { first, _ in first }
    }
    var claims: [CacheKey: FlightClaim] = [:]
    for (index, key) in keys.enumerated() {
      claims[key] = Self.claim(
        set: replies[3 * index], holder: replies[3 * index + 1], ttl: replies[3 * index + 2], by: instanceID)
    }
    return claims
  }

  /// What one key's `SET NX`, `GET` and `PTTL` replies say.
  private static func claim(
    set: Result<RESPValue, RedisError>, holder: Result<RESPValue, RedisError>, ttl: Result<RESPValue, RedisError>,
    by instanceID: String
  ) -> FlightClaim {
    guard case .success(let set) = set else { return .unavailable }
    if set.string == "OK" { return .holding }
    // The lease ended between the SET and the GET: no one holds it now.
    guard case .success(let holderReply) = holder, let holder = holderReply.string else {
      return .heldElsewhere(by: "", remaining: .zero)
    }
    // A lease of this instance's own that a failed release left behind.
    if holder == instanceID { return .holding }
    let milliseconds: Int64 = if case .success(let ttl) = ttl, let value = ttl.integer { value } else { 0 }
    return .heldElsewhere(by: holder, remaining: .milliseconds(max(0, milliseconds)))
  }

  public func release(_ keys: [CacheKey]) async {
    guard !keys.isEmpty else { return }
    let leaseKeys = keys.map(leaseKey(for:))
    let arguments = [instanceID, channel]
    let result = await RedisClient.within(options.timeout) { [client, releasing] () async throws(RedisError) in
      try await releasing.run(on: client, keys: leaseKeys, arguments: arguments)
    }
    if case .failure(let error) = result {
      // The others wait for the leases to expire instead; nothing is lost but time.
      logger.debug("leases not released", metadata: ["keys": "\(leaseKeys.count)", "error": "\(error)"])
    }
  }

  public func waitForRelease(of key: CacheKey, upTo limit: Duration) async {
    let leaseKey = leaseKey(for: key)
    let id = nextWaiter.add(1, ordering: .relaxed).newValue
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        await withCheckedContinuation { continuation in
          let wokenAlready = self.waiters.withLock { waiters in
            if case .woken = waiters[leaseKey]?[id] { return true }
            waiters[leaseKey, default: [:]][id] = .waiting(continuation)
            return false
          }
          if wokenAlready { continuation.resume() }
        }
      }
      group.addTask { [self] in
        try? await clock.sleep(for: limit)
        wake(leaseKey, id)
      }
      await group.next()
      wake(leaseKey, id)
      group.cancelAll()
    }
    // Both tasks have ended; drop the mark a late wake may have left.
    waiters.withLock { waiters in
      waiters[leaseKey]?[id] = nil
      if waiters[leaseKey]?.isEmpty == true { waiters[leaseKey] = nil }
    }
  }

  /// Waits under way now, for tests: none should outlive its call.
  var waiterCount: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }

  /// Resumes waiter `id` on `leaseKey` (marking it woken if it has not begun to wait), or
  /// every waiter there when `id` is nil.
  private func wake(_ leaseKey: String, _ id: Int? = nil) {
    let resumed: [CheckedContinuation<Void, Never>] = waiters.withLock { waiters in
      var waiting = waiters[leaseKey] ?? [:]
      var taken: [CheckedContinuation<Void, Never>] = []
      if let id {
        if case .waiting(let continuation) = waiting[id] { taken = [continuation] }
        waiting[id] = .woken
      } else {
        for (id, waiter) in waiting {
          guard case .waiting(let continuation) = waiter else { continue }
          taken.append(continuation)
          waiting[id] = .woken
        }
      }
      waiters[leaseKey] = waiting.isEmpty ? nil : waiting
      return taken
    }
    for continuation in resumed { continuation.resume() }
  }

  // MARK: Service

  /// Listens for releases and polls the leases waited for, until shutdown.
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await withTaskGroup(of: Void.self) { group in
        group.addTask {
          for await message in self.client.subscribe([self.channel]) {
            self.wake(String(decoding: message.payload, as: UTF8.self))
          }
        }
        group.addTask { await self.pollWaitedLeases() }
        await group.next()
        group.cancelAll()
      }
    }
  }

  /// Wakes the waiters of every lease that is gone, checked once per poll interval.
  private func pollWaitedLeases() async {
    while !Task.isCancelled {
      do { try await clock.sleep(for: options.pollInterval) } catch { return }
      await pollOnce()
    }
  }

  /// One check of the leases being waited for: one `PTTL` each, in one pipeline.
  func pollOnce() async {
    let waited = waiters.withLock { waiters in
      waiters.compactMap { key, waiting in
        waiting.values.contains { if case .waiting = $0 { true } else { false } } ? key : nil
      }
    }
    guard !waited.isEmpty else { return }
    let commands = waited.map { ["PTTL", $0] }
    let reply = await RedisClient.within(options.timeout) { [client] () async throws(RedisError) in
      try await client.pipeline(commands)
    }
    guard case .success(let replies) = reply else { return }
    // -2: no such key. A lease always has an expiry, so -1 never means a lease.
    for (key, ttl) in zip(waited, replies) {
      if case .success(let value) = ttl, let milliseconds = value.integer, milliseconds < 0 { wake(key) }
    }
  }
}
