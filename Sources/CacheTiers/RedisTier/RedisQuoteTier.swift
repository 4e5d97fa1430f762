import Logging
import MarketCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// The shared tier: quotes, blocks of history bars and profiles in Redis under versioned keys
/// (`lianyaohu:v1:quote:AAPL`, `lianyaohu:v1:history:AAPL:1d:1735689600`,
/// `lianyaohu:v1:profile:AAPL`), so what one instance fetched is served by the others without
/// another upstream call.
///
/// Reads are one `MGET` per batch, bounded by the client's command timeout; while Redis is
/// down they answer nothing at once. Writes queue and go out as one pipeline per batch
/// (`SET key entry PX ttl`), in order with invalidations, from ``run()``. A settled block
/// (one that can no longer change) lives for days; the block still being written, minutes.
public final class RedisQuoteTier: QuoteTier, HistoryTier, ProfileTier, Service {
  public struct Options: Sendable {
    /// Every key starts with this.
    public var prefix = "lianyaohu:"
    /// How long Redis keeps an entry: the quote TTL plus the staleness limit, after which no
    /// instance could serve it anyway.
    public var entryLifetime: Duration = .seconds(310)
    /// Entries at least this large are compressed.
    public var compressAbove = 512
    /// Writes waiting for Redis; past this the oldest are dropped (and counted).
    public var writeQueueLimit = 10_000
    /// How often the entry count is re-read (a bounded SCAN).
    public var countInterval: Duration = .seconds(10)
    /// How long a settled block of bars is kept: other instances, and this one after a
    /// restart without SQLite, take it instead of asking a provider again.
    public var settledSeriesLifetime: Duration = .seconds(7 * 86_400)
    /// How long the block still being written is kept: its TTL plus the staleness limit
    /// (`[cache.history] current_ttl` + `current_max_staleness`).
    public var currentSeriesLifetime: Duration = .seconds(3_660)
    /// How long a profile is kept: its TTL plus the staleness limit.
    public var profileLifetime: Duration = .seconds(8 * 86_400)
    /// Which blocks are settled.
    public var historyPolicy = HistoryPolicy()

    public init() {}
  }

  private enum Write {
    case store(Quote)
    case storeBlock(BarBlock)
    case storeProfile(Profile)
    case invalidate(InvalidationScope)
  }

  private struct State {
    var queue: [Write] = []
    var statistics = CacheStatistics(tier: "redis")
    var droppedWrites = 0
    var unreadableEntries = 0
    var failedWrites = 0
    /// One batch goes out at a time, so writes and invalidations reach Redis in order.
    var sending = false
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
  }

  public let name = "redis"
  public let isShared = true
  public let client: RedisClient
  public let options: Options
  private let clock: any MarketClock
  private let logger: Logger
  private let state = Mutex(State())
  private let wake: AsyncStream<Void>.Continuation
  private let wakes: AsyncStream<Void>

  public init(
    client: RedisClient, options: Options = Options(), clock: any MarketClock = SystemClock(), logger: Logger
  ) {
    self.client = client
    self.options = options
    self.clock = clock
    self.logger = logger
    (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
  }

  /// The Redis key of a symbol's quote.
  public func key(for symbol: Symbol) -> String { options.prefix + CacheKey(.quote, symbol).description }

  /// The Redis key of a block of bars.
  public func key(for block: HistoryBlock) -> String { options.prefix + block.key.description }

  /// The Redis key of a symbol's profile.
  public func profileKey(for symbol: Symbol) -> String { options.prefix + CacheKey(.profile, symbol).description }

  /// Keys per `MGET`: a ten-year daily window is 120 blocks, a long minute window a thousand.
  static let readChunk = 256

  // MARK: QuoteTier

  public func load(_ symbols: [Symbol]) async -> [Symbol: Quote] {
    guard !symbols.isEmpty else { return [:] }
    let entries: [[UInt8]?]
    do {
      entries = try await client.mget(symbols.map(key(for:)))
    } catch {
      state.withLock { $0.statistics.misses += symbols.count }
      return [:]
    }
    var found: [Symbol: Quote] = [:]
    var unreadable = 0
    for (symbol, entry) in zip(symbols, entries) {
      guard let entry else { continue }
      do {
        let quote = try QuoteEntryCodec.decode(entry)
        if quote.symbol == symbol { found[symbol] = quote } else { unreadable += 1 }
      } catch {
        unreadable += 1
      }
    }
    if unreadable > 0 {
      logger.warning("unreadable Redis entries skipped", metadata: ["count": "\(unreadable)"])
    }
    state.withLock { state in
      state.statistics.hits += found.count
      state.statistics.misses += symbols.count - found.count
      state.unreadableEntries += unreadable
    }
    return found
  }

  public func store(_ quotes: [Quote]) {
    enqueue(quotes.map(Write.store))
  }

  // MARK: HistoryTier

  public func load(_ blocks: [HistoryBlock]) async -> [HistoryBlock: BarBlock] {
    await read(Array(Set(blocks)), key: key(for:)) { (bytes: [UInt8], block: HistoryBlock) in
      guard let value = try? BarBlockCodec.decode(bytes), value.block == block else { return nil }
      return value
    }
  }

  public func store(_ blocks: [BarBlock]) {
    enqueue(blocks.map(Write.storeBlock))
  }

  // MARK: ProfileTier

  public func loadProfiles(_ symbols: [Symbol]) async -> [Symbol: Profile] {
    await read(Array(Set(symbols)), key: profileKey(for:)) { (bytes: [UInt8], symbol: Symbol) in
      guard let profile = try? ProfileEntryCodec.decode(bytes), profile.symbol == symbol else { return nil }
      return profile
    }
  }

  public func storeProfiles(_ profiles: [Profile]) {
    enqueue(profiles.map(Write.storeProfile))
  }

  /// `MGET`s the requests' keys in chunks and decodes what is there; an entry that does not
  /// decode to the value asked for is skipped and counted. Redis failing ends the read with
  /// what it had.
  private func read<Request: Hashable, Value>(
    _ requests: [Request], key: (Request) -> String, decode: ([UInt8], Request) -> Value?
  ) async -> [Request: Value] {
    guard !requests.isEmpty else { return [:] }
    var found: [Request: Value] = [:]
    var unreadable = 0
    for start in stride(from: 0, to: requests.count, by: Self.readChunk) {
      let chunk = requests[start..<min(start + Self.readChunk, requests.count)]
      let entries: [[UInt8]?]
      do {
        entries = try await client.mget(chunk.map(key))
      } catch {
        break
      }
      for (request, entry) in zip(chunk, entries) {
        guard let entry else { continue }
        if let value = decode(entry, request) { found[request] = value } else { unreadable += 1 }
      }
    }
    if unreadable > 0 {
      logger.warning("unreadable Redis entries skipped", metadata: ["count": "\(unreadable)"])
    }
    state.withLock { state in
      state.statistics.hits += found.count
      state.statistics.misses += requests.count - found.count
      state.unreadableEntries += unreadable
    }
    return found
  }

  public func invalidate(_ scope: InvalidationScope) {
    enqueue([.invalidate(scope)])
  }

  public var statistics: CacheStatistics {
    var statistics = state.withLock { $0.statistics }
    if case .down(let reason, _) = client.health { statistics.unavailable = reason }
    return statistics
  }

  /// Writes dropped because Redis could not keep up or was down, entries that could not be
  /// read, writes Redis refused.
  public var problems: (droppedWrites: Int, unreadableEntries: Int, failedWrites: Int) {
    state.withLock { ($0.droppedWrites, $0.unreadableEntries, $0.failedWrites) }
  }

  // MARK: Writer

  private func enqueue(_ writes: [Write]) {
    state.withLock { state in
      state.queue.append(contentsOf: writes)
      let excess = state.queue.count - options.writeQueueLimit
      if excess > 0 {
        state.queue.removeFirst(excess)
        state.droppedWrites += excess
      }
    }
    wake.yield()
  }

  /// Sends queued writes until shutdown, then whatever is still queued (one last try).
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.countEntriesPeriodically() }
        for await _ in self.wakes { await self.flush() }
        group.cancelAll()
      }
    }
    await flush()
  }

  private enum NextStep {
    case send([Write])
    case waitForSender
    case done
  }

  /// Sends everything queued so far; returns once Redis has answered it (or failed), batches
  /// another caller was already sending included.
  public func flush() async {
    while true {
      let step = state.withLock { state -> NextStep in
        if state.sending { return .waitForSender }
        if state.queue.isEmpty { return .done }
        state.sending = true
        defer { state.queue.removeAll(keepingCapacity: true) }
        return .send(state.queue)
      }
      switch step {
      case .send(let batch):
        await send(batch)
        let waiters = state.withLock { state in
          state.sending = false
          defer { state.idleWaiters.removeAll() }
          return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
      case .waitForSender:
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
          let idle = state.withLock { state in
            if !state.sending { return true }
            state.idleWaiters.append(waiter)
            return false
          }
          if idle { waiter.resume() }
        }
      case .done:
        return
      }
    }
  }

  private func send(_ batch: [Write]) async {
    var commands: [RedisCommand] = []
    var stored = 0
    func sendPending() async {
      guard !commands.isEmpty else { return }
      do {
        let results = try await client.pipeline(commands)
        let failures = results.filter { if case .failure = $0 { true } else { false } }.count
        state.withLock { state in
          state.statistics.insertions += stored - failures
          state.failedWrites += failures
        }
      } catch {
        state.withLock { $0.failedWrites += commands.count }
      }
      commands.removeAll()
      stored = 0
    }
    func set(_ key: String, _ entry: [UInt8], lifetime: Duration) {
      var command = RedisCommand("SET")
      command.append(key)
      command.append(entry)
      command.append("PX")
      command.append(RedisClient.milliseconds(lifetime))
      commands.append(command)
      stored += 1
    }
    let now = clock.wallNow()
    for write in batch {
      switch write {
      case .store(let quote):
        set(
          key(for: quote.symbol), QuoteEntryCodec.encode(quote, compressAbove: options.compressAbove),
          lifetime: options.entryLifetime)
      case .storeBlock(let block):
        // Only blocks the pipeline would accept: the codec writes bars as given.
        guard block.problem == nil else {
          state.withLock { $0.failedWrites += 1 }
          continue
        }
        let settled = options.historyPolicy.isSettled(block.block, at: now)
        set(
          key(for: block.block), BarBlockCodec.encode(block, compressAbove: options.compressAbove),
          lifetime: settled ? options.settledSeriesLifetime : options.currentSeriesLifetime)
      case .storeProfile(let profile):
        set(
          profileKey(for: profile.symbol), ProfileEntryCodec.encode(profile, compressAbove: options.compressAbove),
          lifetime: options.profileLifetime)
      case .invalidate(let scope):
        // Writes before an invalidation land before it; the ones after, after it.
        await sendPending()
        await remove(scope)
      }
    }
    await sendPending()
  }

  private func remove(_ scope: InvalidationScope) async {
    do {
      switch scope {
      case .key(let key): _ = try await client.delete([options.prefix + key.description])
      case .symbol(let symbol):
        // Every kind's key of exactly this symbol: the glob finds keys with the symbol's text
        // after a colon, and only those whose parsed key names the symbol go (BA, never BABA).
        let prefix = options.prefix
        _ = try await client.deleteMatching(
          Self.glob(prefix + "v\(CacheKey.schemaVersion):") + "*:" + Self.glob(symbol.text) + "*"
        ) {
          name in
          guard name.hasPrefix(prefix), let key = CacheKey(String(name.dropFirst(prefix.count))) else { return false }
          return key.symbol == symbol
        }
      case .prefix(let prefix): _ = try await client.deleteMatching(Self.glob(options.prefix + prefix) + "*")
      case .all: _ = try await client.deleteMatching(Self.glob(options.prefix + "v\(CacheKey.schemaVersion):") + "*")
      }
    } catch {
      logger.warning("invalidation not applied in Redis", metadata: ["scope": "\(scope)", "error": "\(error)"])
      state.withLock { $0.failedWrites += 1 }
    }
  }

  /// A key prefix as a SCAN pattern that matches it literally.
  static func glob(_ text: String) -> String {
    var pattern = ""
    for character in text {
      if "*?[]\\".contains(character) { pattern.append("\\") }
      pattern.append(character)
    }
    return pattern
  }

  // MARK: Entry count

  private func countEntriesPeriodically() async {
    while !Task.isCancelled {
      if let count = await countEntries() { state.withLock { $0.statistics.entries = count } }
      do { try await Task.sleep(for: options.countInterval) } catch { return }
    }
  }

  /// Keys under the prefix, by SCAN (never KEYS, which blocks the server); nil when Redis is
  /// unavailable. Stops counting at a million.
  func countEntries() async -> Int? {
    var cursor = "0"
    var count = 0
    repeat {
      let reply: RESPValue
      do {
        reply = try await client.send(
          RedisCommand(
            "SCAN", [cursor, "MATCH", Self.glob(options.prefix + "v\(CacheKey.schemaVersion):") + "*", "COUNT", "1000"]))
      } catch {
        return nil
      }
      guard case .array(let parts?) = reply, parts.count == 2, let next = parts[0].string,
        case .array(let keys?) = parts[1]
      else { return nil }
      cursor = next
      count += keys.count
    } while cursor != "0" && count < 1_000_000
    return count
  }
}
