import Foundation
import Logging
import MarketCore
import ServiceLifecycle
import Synchronization

/// Tells instances that share one Redis of each other's operator actions within a moment:
/// every action taken here (trip, reset, enable, disable, watchlist edit, invalidation) is
/// published on one channel, and every action published by another instance is applied here.
/// Each message carries the sender's instance id, so an instance ignores its own echo, and
/// the action's version, so a message that arrives after a newer value of the same state is
/// ignored; actions applied from elsewhere are never published again (see
/// ``MarketDataCore/apply(_:fromInstance:version:)``). Messages without a version, from
/// instances older than the versions, are applied as they come.
///
/// The channel is only the fast path. The state itself (trips, resets, enable, disable,
/// watchlists) is kept in Redis by ``OperatorStateStore``: an action taken while Redis is down
/// is stored and announced again when it returns, and an instance started later reads it.
/// Invalidations are messages only: they are one-shot commands, and one replayed later could
/// delete a value fetched since.
public final class ClusterBus: Service {
  public let instanceID: String
  public let channel: String
  private let client: RedisClient
  private let core: MarketDataCore
  private let logger: Logger
  private let outgoing: AsyncStream<ClusterMessage>
  private let outgoingContinuation: AsyncStream<ClusterMessage>.Continuation
  private let counters = Mutex((published: 0, applied: 0, refused: 0, lost: 0, stale: 0))

  public init(client: RedisClient, channel: String, instanceID: String, core: MarketDataCore, logger: Logger) {
    self.client = client
    self.channel = channel
    self.instanceID = instanceID
    self.core = core
    self.logger = logger
    (outgoing, outgoingContinuation) = AsyncStream<ClusterMessage>.makeStream(bufferingPolicy: .bufferingNewest(1024))
    core.onVersionedOperatorAction { [outgoingContinuation, instanceID] action, version in
      outgoingContinuation.yield(ClusterMessage(instance: instanceID, action: action, stamp: version))
    }
  }

  /// Publishes an action of this instance again, with the version it was given: what the
  /// operator state store does with the actions an outage kept from the channel.
  public func announce(_ action: OperatorAction, version: HybridTimestamp) {
    outgoingContinuation.yield(ClusterMessage(instance: instanceID, action: action, stamp: version))
  }

  /// An id unique to this process: host, pid and a random tag.
  public static func makeInstanceID() -> String {
    let host = ProcessInfo.processInfo.hostName.prefix(32)
    return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
  }

  /// Messages published, applied from others, refused (malformed, or naming what this
  /// instance lacks), lost (Redis unavailable when publishing), and stale (older than the
  /// state this instance already held, so ignored).
  public var statistics: (published: Int, applied: Int, refused: Int, lost: Int, stale: Int) {
    counters.withLock { $0 }
  }

  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.publishLoop() }
        group.addTask { await self.listen() }
        await group.waitForAll()
      }
    }
  }

  private func publishLoop() async {
    for await message in outgoing {
      guard !Task.isCancelled else { return }
      do {
        _ = try await client.publish(channel, Array(try JSONEncoder().encode(message)))
        counters.withLock { $0.published += 1 }
      } catch {
        counters.withLock { $0.lost += 1 }
        logger.warning(
          "operator action not shared with other instances", metadata: ["action": "\(message.summary)", "error": "\(error)"])
      }
    }
  }

  private func listen() async {
    for await message in client.subscribe([channel]) {
      receive(message.payload)
    }
  }

  /// Applies one message from the channel, unless it is this instance's own.
  func receive(_ payload: [UInt8]) {
    let message: ClusterMessage
    do {
      guard payload.count <= ClusterMessage.maximumBytes else { throw ClusterMessageError("larger than 64 KiB") }
      message = try JSONDecoder().decode(ClusterMessage.self, from: Data(payload))
    } catch {
      counters.withLock { $0.refused += 1 }
      logger.warning("unreadable cluster message ignored", metadata: ["bytes": "\(payload.count)", "error": "\(error)"])
      return
    }
    guard message.instance != instanceID else { return }
    do {
      let action = try message.operatorAction()
      if try core.apply(action, fromInstance: message.instance, version: message.stamp) {
        counters.withLock { $0.applied += 1 }
      } else {
        counters.withLock { $0.stale += 1 }
        logger.debug("stale cluster action ignored", metadata: ["from": "\(message.instance)", "action": "\(message.summary)"])
      }
    } catch {
      counters.withLock { $0.refused += 1 }
      logger.warning(
        "cluster action not applied",
        metadata: ["from": "\(message.instance)", "action": "\(message.summary)", "error": "\(error)"])
    }
  }
}

struct ClusterMessageError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

extension HybridTimestamp {
  /// Whether a version read from outside (a message, Redis) can be one an instance made.
  var isWellFormed: Bool {
    wallMilliseconds >= 0 && counter >= 0 && !instance.isEmpty && instance.utf8.count <= 128
  }
}

/// One symbol of a watchlist as messages and the operator state store write it.
struct WatchlistEntry: Codable, Hashable, Sendable {
  var symbol: String
  var active: Bool

  static func entries(_ list: Watchlist) -> [WatchlistEntry] {
    list.entries.map { WatchlistEntry(symbol: $0.symbol.text, active: $0.isActive) }
  }

  /// The watchlist these entries make; too many, or a symbol that is not one, is an error.
  static func watchlist(_ entries: [WatchlistEntry]) throws -> Watchlist {
    guard entries.count <= Watchlist.maximumEntries else {
      throw ClusterMessageError("a watchlist longer than \(Watchlist.maximumEntries)")
    }
    var list: [Watchlist.Entry] = []
    for entry in entries {
      list.append(Watchlist.Entry(symbol: try Symbol(validating: entry.symbol), isActive: entry.active))
    }
    return Watchlist(entries: list)
  }
}

/// The wire form of an operator action: JSON, versioned, readable with `redis-cli SUBSCRIBE`.
struct ClusterMessage: Codable, Hashable, Sendable {
  static let maximumBytes = 64 << 10
  static let currentVersion = 1

  var version = ClusterMessage.currentVersion
  var instance: String
  /// trip, reset, enable, disable, watchlist, invalidate
  var action: String
  var provider: String?
  var immortal: String?
  /// A whole watchlist, in order.
  var watchlist: [WatchlistEntry]?
  /// Invalidations: key, symbol, prefix or all, with `target` for the first three.
  var scope: String?
  var target: String?
  /// The version of the state the action sets (nil for invalidations, and from instances that
  /// predate versions): an optional field, so the message format stays version 1.
  var stamp: HybridTimestamp?

  init(instance: String, action: OperatorAction, stamp: HybridTimestamp? = nil) {
    self.instance = instance
    self.stamp = stamp
    switch action {
    case .trip(let id): (self.action, provider) = ("trip", id.name)
    case .reset(let id): (self.action, provider) = ("reset", id.name)
    case .setEnabled(let id, let enabled): (self.action, provider) = (enabled ? "enable" : "disable", id.name)
    case .setWatchlist(let immortal, let list):
      self.action = "watchlist"
      self.immortal = immortal.rawValue
      watchlist = WatchlistEntry.entries(list)
    case .invalidate(let scope):
      self.action = "invalidate"
      switch scope {
      case .key(let key): (self.scope, target) = ("key", key.description)
      case .symbol(let symbol): (self.scope, target) = ("symbol", symbol.text)
      case .prefix(let prefix): (self.scope, target) = ("prefix", prefix)
      case .all: self.scope = "all"
      }
    }
  }

  /// The action this message asks for; a message from a newer version, or one that does
  /// not make sense, is an error.
  func operatorAction() throws -> OperatorAction {
    guard version == Self.currentVersion else { throw ClusterMessageError("version \(version) is not \(Self.currentVersion)") }
    if let stamp, !stamp.isWellFormed { throw ClusterMessageError("malformed version") }
    func provider() throws -> ProviderID {
      guard let name = self.provider, !name.isEmpty, name.utf8.count <= 64 else { throw ClusterMessageError("no provider") }
      return ProviderID(name)
    }
    func symbol() throws -> Symbol {
      guard let text = target else { throw ClusterMessageError("no symbol") }
      return try Symbol(validating: text)
    }
    switch action {
    case "trip": return .trip(try provider())
    case "reset": return .reset(try provider())
    case "enable": return .setEnabled(try provider(), true)
    case "disable": return .setEnabled(try provider(), false)
    case "watchlist":
      guard let name = immortal, let id = ImmortalID(rawValue: name) else { throw ClusterMessageError("no such immortal") }
      guard let entries = watchlist else { throw ClusterMessageError("no watchlist") }
      return .setWatchlist(id, try WatchlistEntry.watchlist(entries))
    case "invalidate":
      switch scope {
      case "all": return .invalidate(.all)
      case "symbol": return .invalidate(.symbol(try symbol()))
      case "key":
        guard let text = target, let key = CacheKey(text) else { throw ClusterMessageError("bad cache key") }
        return .invalidate(.key(key))
      case "prefix":
        guard let text = target, text.utf8.count <= 128 else { throw ClusterMessageError("bad prefix") }
        return .invalidate(.prefix(text))
      default: throw ClusterMessageError("unknown invalidation scope")
      }
    default:
      throw ClusterMessageError("unknown action")
    }
  }

  /// For logs: never more than names and symbols.
  var summary: String {
    let list = watchlist.map { "\($0.count) symbols" }
    return [action, provider, immortal, list, scope, target].compactMap { $0 }.joined(separator: " ").prefix(120).description
  }
}
