import Logging
import MarketCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// The shared tier: quotes in Redis under versioned keys (`lianyaohu:v1:quote:AAPL`), so a
/// quote one instance fetched is served by the others without another upstream call.
///
/// Reads are one `MGET` per batch, bounded by the client's command timeout; while Redis is
/// down they answer nothing at once. Writes queue and go out as one pipeline per batch
/// (`SET key entry PX ttl`), in order with invalidations, from ``run()``.
public final class RedisQuoteTier: QuoteTier, Service {
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

    public init() {}
  }

  private enum Write {
    case store(Quote)
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
  private let logger: Logger
  private let state = Mutex(State())
  private let wake: AsyncStream<Void>.Continuation
  private let wakes: AsyncStream<Void>

  public init(client: RedisClient, options: Options = Options(), logger: Logger) {
    self.client = client
    self.options = options
    self.logger = logger
    (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
  }

  /// The Redis key of a symbol's quote.
  public func key(for symbol: Symbol) -> String { options.prefix + CacheKey(.quote, symbol).description }

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
    let milliseconds = max(1, options.entryLifetime.nanoseconds / 1_000_000)
    for write in batch {
      switch write {
      case .store(let quote):
        var command = RedisCommand("SET")
        command.append(key(for: quote.symbol))
        command.append(QuoteEntryCodec.encode(quote, compressAbove: options.compressAbove))
        command.append("PX")
        command.append(Int(milliseconds))
        commands.append(command)
        stored += 1
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
      // Quotes are the only class kept here: a symbol's one key.
      case .symbol(let symbol): _ = try await client.delete([key(for: symbol)])
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
