import Foundation
import MarketCore

extension OperatorStateStore {
  /// The one script that writes a piece of operator state: last writer wins by version.
  ///
  /// - KEYS[1]: the operator hash, one field per subject, each value `{"value": …, "version":
  ///   {"wall": ms, "counter": n, "instance": id}}`.
  /// - ARGV: the field, the new value (that JSON), and its version's wall, counter and instance.
  ///
  /// Stores the value only if its version is newer than the stored one (wall, then counter,
  /// then the instance id byte by byte, as ``HybridTimestamp`` orders them), and returns the
  /// winner: the new value, or the stored one that was newer (or the same). A stored value
  /// that is not readable JSON with a version loses to any. Redis runs a script alone, so two
  /// instances writing at once cannot both win.
  static let script = """
    local function before(a, b)
      local length = math.min(#a, #b)
      for i = 1, length do
        local x, y = string.byte(a, i), string.byte(b, i)
        if x ~= y then return x < y end
      end
      return #a < #b
    end
    local current = redis.call('HGET', KEYS[1], ARGV[1])
    if current then
      local ok, stored = pcall(cjson.decode, current)
      if ok and type(stored) == 'table' and type(stored.version) == 'table' then
        local wall, counter = tonumber(ARGV[3]), tonumber(ARGV[4])
        local storedWall = tonumber(stored.version.wall) or -1
        local storedCounter = tonumber(stored.version.counter) or -1
        local storedInstance = tostring(stored.version.instance or '')
        local newer = wall > storedWall
          or (wall == storedWall and (counter > storedCounter
            or (counter == storedCounter and before(storedInstance, ARGV[5]))))
        if not newer then return current end
      end
    end
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    return ARGV[2]
    """
}

/// One field of the operator hash: a value and its version, as JSON that `redis-cli HGETALL`
/// shows readably: `{"value":"tripped","version":{"wall":1764460740000,"counter":0,"instance":"a"}}`.
/// Breakers hold `tripped` or `reset`, `enabled` a boolean, watchlists the list as the cluster
/// bus sends it.
struct StoredOperatorEntry: Hashable, Sendable {
  static let maximumBytes = 64 << 10

  var action: OperatorAction
  var version: HybridTimestamp

  private struct Envelope<Value: Codable>: Codable {
    var value: Value
    var version: HybridTimestamp
  }

  /// The JSON stored for this entry; nil for actions that set no state (invalidations).
  func encoded() throws -> String? {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let data: Data
    switch action {
    case .trip: data = try encoder.encode(Envelope(value: "tripped", version: version))
    case .reset: data = try encoder.encode(Envelope(value: "reset", version: version))
    case .setEnabled(_, let enabled): data = try encoder.encode(Envelope(value: enabled, version: version))
    case .setWatchlist(_, let list):
      data = try encoder.encode(Envelope(value: WatchlistEntry.entries(list), version: version))
    case .invalidate: return nil
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The entry stored under `subject`'s field; anything that does not make sense is an error.
  init(subject: OperatorSubject, json: String) throws {
    guard json.utf8.count <= Self.maximumBytes else { throw ClusterMessageError("larger than 64 KiB") }
    let data = Data(json.utf8)
    let decoder = JSONDecoder()
    switch subject {
    case .breaker(let id):
      let envelope = try decoder.decode(Envelope<String>.self, from: data)
      switch envelope.value {
      case "tripped": action = .trip(id)
      case "reset": action = .reset(id)
      default: throw ClusterMessageError("a breaker is tripped or reset")
      }
      version = envelope.version
    case .enabled(let id):
      let envelope = try decoder.decode(Envelope<Bool>.self, from: data)
      (action, version) = (.setEnabled(id, envelope.value), envelope.version)
    case .watchlist(let immortal):
      let envelope = try decoder.decode(Envelope<[WatchlistEntry]>.self, from: data)
      (action, version) = (.setWatchlist(immortal, try WatchlistEntry.watchlist(envelope.value)), envelope.version)
    }
    guard version.isWellFormed else { throw ClusterMessageError("malformed version") }
  }

  init(action: OperatorAction, version: HybridTimestamp) {
    self.action = action
    self.version = version
  }
}
