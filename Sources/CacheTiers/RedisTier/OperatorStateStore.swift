import Foundation
import Logging
import MarketCore
import ServiceLifecycle
import Synchronization

/// Operator state kept in Redis as state, so an action taken while Redis is down, or before
/// an instance started, is not lost to the others: trips and resets, enable and disable, and
/// watchlists, one field per subject (``OperatorSubject/field``) of the hash
/// `prefix + v1:operator`, each with its version (``HybridTimestamp``). The cluster bus still
/// announces each action at once; this is what makes it last. Invalidations are not state and
/// stay messages only (see ``ClusterBus``).
///
/// Every write goes through one script (``script``) that stores a value only if its version
/// is newer than the stored one and answers with the winner. ``run()`` writes each local
/// action as it is taken, and reconciles (``reconcile()``) as soon as Redis is reachable, again
/// whenever it comes back, and every ``Options/reconcileInterval``: a stored value newer than
/// this instance's is applied here (``MarketDataCore/reconcile(_:version:from:)``, never passed
/// on), and a value of this instance's newer than the stored one, such as an action taken
/// during an outage and kept pending, is written and announced on the bus again.
public final class OperatorStateStore: Service {
  public struct Options: Sendable {
    /// Every key starts with this (the Redis tier's prefix).
    public var prefix = "lianyaohu:"
    /// How often the stored state is read and this instance's written, while Redis answers.
    public var reconcileInterval: Duration = .seconds(3)
    /// How often ``run()`` looks whether Redis has come back, to reconcile at once when it has.
    public var reconnectCheckInterval: Duration = .milliseconds(100)

    public init() {}
  }

  /// What the store did, for tests and diagnostics.
  public struct Statistics: Hashable, Sendable {
    /// Reconciliations that read the stored state and wrote what this instance had newer.
    public var reconciliations = 0
    /// Stored values newer than this instance's, applied here.
    public var applied = 0
    /// Values of this instance's (its own or heard from others) the store took.
    public var written = 0
    /// Writes the store refused because it held a newer value (which was applied instead).
    public var refused = 0
    /// Stored fields this version cannot read (unknown subject, malformed value), skipped.
    public var unreadable = 0
  }

  /// The source named in reconciled events: `reconciled: … (from Redis)`.
  public static let source = "Redis"

  public let options: Options
  private let client: RedisClient
  private let core: MarketDataCore
  private let clock: any MarketClock
  private let logger: Logger
  private let announce: (@Sendable (OperatorAction, HybridTimestamp) -> Void)?
  private let localActions: AsyncStream<Void>
  private let state = Mutex(State())
  private let storing = RedisScript(OperatorStateStore.script)

  private struct State {
    /// Why the last read or write failed; nil while Redis answers.
    var failure: String?
    var statistics = Statistics()
  }

  /// `announce` publishes an action again (``ClusterBus/announce(_:version:)``): the store
  /// calls it for the pending actions it writes once Redis is back, which the bus could not
  /// send when they were taken.
  public init(
    client: RedisClient, core: MarketDataCore, options: Options = Options(), clock: any MarketClock = SystemClock(),
    logger: Logger, announce: (@Sendable (OperatorAction, HybridTimestamp) -> Void)? = nil
  ) {
    self.client = client
    self.core = core
    self.options = options
    self.clock = clock
    self.logger = logger
    self.announce = announce
    let (actions, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    localActions = actions
    core.onVersionedOperatorAction { _, version in
      if version != nil { continuation.yield() }
    }
  }

  /// The hash that holds the state.
  public var hashKey: String { options.prefix + "v1:operator" }

  public var statistics: Statistics { state.withLock { $0.statistics } }

  /// Whether a reconciliation has completed since this store was made.
  public var hasReconciled: Bool { statistics.reconciliations > 0 }

  // MARK: Service

  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.writeLocalActions() }
        group.addTask { await self.reconcileLoop() }
        await group.waitForAll()
      }
    }
  }

  /// Writes each local action as it is taken (several taken at once in one pass).
  private func writeLocalActions() async {
    for await _ in localActions {
      guard !Task.isCancelled else { return }
      await writePending(announcing: false)
    }
  }

  /// Reconciles once Redis is reachable, again whenever it comes back, and every interval.
  private func reconcileLoop() async {
    var wasConnected = false
    var next = clock.now()
    while !Task.isCancelled {
      let connected = client.health.isConnected
      if connected, !wasConnected || clock.now() >= next {
        await reconcile()
        next = clock.now() + options.reconcileInterval
      }
      wasConnected = connected
      do { try await clock.sleep(for: options.reconnectCheckInterval) } catch { return }
    }
  }

  /// Waits until the first reconciliation, at most `limit`: so an instance can start serving
  /// with the state the others left, without waiting long for a Redis that is away. Returns
  /// whether it reconciled.
  public func waitForFirstReconciliation(atMost limit: Duration) async -> Bool {
    let deadline = clock.now() + limit
    while !hasReconciled, clock.now() < deadline {
      do { try await clock.sleep(for: .milliseconds(20)) } catch { break }
    }
    return hasReconciled
  }

  // MARK: Reconciling

  /// Reads the stored state and applies what is newer than this instance's; writes what this
  /// instance has newer (or the store lacks). Returns false when Redis could not be read or
  /// written, leaving local actions pending for the next time.
  @discardableResult
  public func reconcile() async -> Bool {
    let stored: [(field: String, value: String)]
    do throws(RedisError) {
      stored = try await client.hashFields(hashKey)
    } catch {
      missed(error)
      return false
    }
    var storedVersions: [OperatorSubject: HybridTimestamp] = [:]
    for (field, json) in stored {
      guard let entry = readable(field: field, json: json) else { continue }
      storedVersions[entry.subject] = entry.version
      apply(entry.action, version: entry.version)
      core.operatorStateStored(entry.subject, version: entry.version)
    }
    let local = core.operatorState.filter { subject, entry in
      storedVersions[subject].map { $0 < entry.version } ?? true
    }
    guard await write(local, announcing: \.isPending) else { return false }
    reached()
    state.withLock { $0.statistics.reconciliations += 1 }
    return true
  }

  /// Writes every local action the store does not hold yet; false when Redis failed.
  @discardableResult
  public func writePending(announcing: Bool = true) async -> Bool {
    let pending = core.operatorState.filter { $0.value.isPending }
    guard await write(pending, announcing: { _ in announcing }) else { return false }
    if !pending.isEmpty { reached() }
    return true
  }

  /// Writes entries in field order, stopping at the first Redis failure (noted); false then.
  private func write(
    _ entries: [OperatorSubject: OperatorLedger.Entry], announcing: (OperatorLedger.Entry) -> Bool
  ) async -> Bool {
    for (subject, entry) in entries.sorted(by: { $0.key.field < $1.key.field }) {
      do throws(RedisError) {
        try await write(subject, entry, announcing: announcing(entry))
      } catch {
        missed(error)
        return false
      }
    }
    return true
  }

  /// Writes one entry through the script; the winner, if not this entry, is applied here.
  private func write(_ subject: OperatorSubject, _ entry: OperatorLedger.Entry, announcing: Bool) async throws(RedisError) {
    let mine = StoredOperatorEntry(action: entry.action, version: entry.version)
    let json: String
    do {
      guard let text = try mine.encoded() else { return }
      json = text
    } catch {
      logger.error("operator state not encodable", metadata: ["subject": "\(subject)", "error": "\(error)"])
      return
    }
    let version = entry.version
    let reply = try await storing.run(
      on: client, keys: [hashKey],
      arguments: [subject.field, json, String(version.wallMilliseconds), String(version.counter), version.instance])
    guard let winnerJSON = reply.string else { throw .unexpectedReply("the state script answered with a \(reply.kindName)") }
    guard let winner = readable(field: subject.field, json: winnerJSON) else { return }
    if winner.version == version {
      core.operatorStateStored(subject, version: version)
      state.withLock { $0.statistics.written += 1 }
      if announcing { announce?(entry.action, version) }
    } else {
      state.withLock { $0.statistics.refused += 1 }
      apply(winner.action, version: winner.version)
      core.operatorStateStored(subject, version: winner.version)
    }
  }

  /// A stored value applied here when newer than this instance's.
  private func apply(_ action: OperatorAction, version: HybridTimestamp) {
    do throws(OperatorError) {
      if try core.reconcile(action, version: version, from: Self.source) {
        state.withLock { $0.statistics.applied += 1 }
      }
    } catch {
      logger.debug(
        "stored operator state not applied", metadata: ["action": "\(action.summary)", "error": "\(error)"])
    }
  }

  private func readable(field: String, json: String) -> (
    subject: OperatorSubject, action: OperatorAction, version: HybridTimestamp
  )? {
    do {
      guard let subject = OperatorSubject(field: field) else { throw ClusterMessageError("unknown subject") }
      let entry = try StoredOperatorEntry(subject: subject, json: json)
      return (subject, entry.action, entry.version)
    } catch {
      state.withLock { $0.statistics.unreadable += 1 }
      logger.debug(
        "unreadable operator state skipped",
        metadata: ["field": "\(field.prefix(100))", "bytes": "\(json.utf8.count)", "error": "\(error)"])
      return nil
    }
  }

  private func reached() {
    let recovered = state.withLock { state in
      defer { state.failure = nil }
      return state.failure != nil
    }
    if recovered { logger.notice("operator state stored in Redis again") }
  }

  private func missed(_ error: RedisError) {
    let reason = RedisClusterBudget.reason(error)
    let isNews = state.withLock { state in
      defer { state.failure = reason }
      return state.failure != reason
    }
    if isNews {
      logger.warning(
        "operator state not stored in Redis; actions taken here are kept and written when it answers",
        metadata: ["reason": "\(reason)", "error": "\(error)"])
    }
  }
}
