import NIOCore

/// The commands the cache tier uses, with their replies as Swift values.
extension RedisClient {
  /// The value at `key`, or `nil` when there is none.
  public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
    let reply = try await execute(RedisCommand("GET", [key]))
    return try Self.optionalBytes(reply, command: "GET")
  }

  /// The values at `keys`, in order; `nil` where a key holds nothing.
  public func mget(_ keys: [String]) async throws(RedisError) -> [[UInt8]?] {
    guard !keys.isEmpty else { return [] }
    let reply = try await execute(RedisCommand("MGET", keys))
    guard let elements = reply.elements, elements.count == keys.count else {
      throw .unexpectedReply("MGET of \(keys.count) keys answered with a \(reply.kindName)")
    }
    var values: [[UInt8]?] = []
    values.reserveCapacity(elements.count)
    for element in elements { values.append(try Self.optionalBytes(element, command: "MGET")) }
    return values
  }

  /// Stores `value` at `key`, expiring after `expiresIn` (rounded up to whole milliseconds)
  /// or never when `nil`.
  public func set(_ key: String, _ value: [UInt8], expiresIn: Duration?) async throws(RedisError) {
    var command = RedisCommand("SET", [key]).appending(value)
    if let expiresIn {
      command.append("PX")
      command.append(Self.milliseconds(expiresIn))
    }
    _ = try await execute(command)
  }

  /// Stores `value` at `key` only when the key holds nothing (`SET NX PX`); whether it did.
  public func setIfAbsent(_ key: String, _ value: [UInt8], expiresIn: Duration) async throws(RedisError) -> Bool {
    let command = RedisCommand("SET", [key]).appending(value).appending("NX").appending("PX")
      .appending(Self.milliseconds(expiresIn))
    let reply = try await execute(command)
    if reply.isNull { return false }
    guard reply.string == "OK" else { throw .unexpectedReply("SET NX answered with a \(reply.kindName)") }
    return true
  }

  /// Removes `keys` (`UNLINK`: the server frees the memory in the background); how many existed.
  public func delete(_ keys: [String]) async throws(RedisError) -> Int {
    guard !keys.isEmpty else { return 0 }
    return try Self.integer(try await execute(RedisCommand("UNLINK", keys)), command: "UNLINK")
  }

  /// Removes every key matching the glob `pattern`, walking the key space with `SCAN` in
  /// batches of about 1000 so the server never blocks on one huge command; how many it removed.
  /// Keys written during the walk may or may not be removed.
  public func deleteMatching(_ pattern: String) async throws(RedisError) -> Int {
    var cursor = "0"
    var removed = 0
    repeat {
      let reply = try await execute(RedisCommand("SCAN", [cursor, "MATCH", pattern, "COUNT", "1000"]))
      guard let page = reply.elements, page.count == 2, let next = page[0].string, let keys = page[1].elements else {
        throw .unexpectedReply("SCAN answered with a \(reply.kindName)")
      }
      // Keys go back as the bytes SCAN gave, so a key that is not UTF-8 is still removed.
      var unlink = RedisCommand("UNLINK")
      for case .bulkString(let name?) in keys { unlink.append(name) }
      if unlink.argumentCount > 0 {
        removed += try Self.integer(try await execute(unlink), command: "UNLINK")
      }
      cursor = next
    } while cursor != "0"
    return removed
  }

  /// Removes the keys matching the glob `pattern` that `include` accepts (keys that are not
  /// UTF-8 are never accepted): for a removal the glob can only narrow, such as one symbol's
  /// keys, where `*` could also match another symbol's. Walks the key space with `SCAN` like
  /// ``deleteMatching(_:)``; how many it removed.
  public func deleteMatching(_ pattern: String, where include: (String) -> Bool) async throws(RedisError) -> Int {
    var cursor = "0"
    var removed = 0
    repeat {
      let reply = try await execute(RedisCommand("SCAN", [cursor, "MATCH", pattern, "COUNT", "1000"]))
      guard let page = reply.elements, page.count == 2, let next = page[0].string, let keys = page[1].elements else {
        throw .unexpectedReply("SCAN answered with a \(reply.kindName)")
      }
      var unlink = RedisCommand("UNLINK")
      for case .bulkString(let name?) in keys {
        guard let text = String(validating: name.readableBytesView, as: UTF8.self), include(text) else { continue }
        unlink.append(name)
      }
      if unlink.argumentCount > 0 {
        removed += try Self.integer(try await execute(unlink), command: "UNLINK")
      }
      cursor = next
    } while cursor != "0"
    return removed
  }

  /// Milliseconds left before `key` expires: -1 when it never does, -2 when it does not exist.
  public func pttl(_ key: String) async throws(RedisError) -> Int64 {
    let reply = try await execute(RedisCommand("PTTL", [key]))
    guard let value = reply.integer else { throw .unexpectedReply("PTTL answered with a \(reply.kindName)") }
    return value
  }

  /// Every field of the hash at `key` with its value, as text (`HGETALL`: an array of
  /// alternating fields and values in RESP2, a map in RESP3); fields or values that are not
  /// text are left out, and a missing key is no fields.
  public func hashFields(_ key: String) async throws(RedisError) -> [(field: String, value: String)] {
    let reply = try await execute(RedisCommand("HGETALL", [key]))
    let words: [RESPValue]
    switch reply {
    case .array(let elements?): words = elements
    case .array(nil), .null: words = []
    case .map(let entries): words = entries.flatMap { [$0.key, $0.value] }
    default: throw .unexpectedReply("HGETALL answered with a \(reply.kindName)")
    }
    var fields: [(field: String, value: String)] = []
    var index = words.startIndex
    while index + 1 < words.endIndex {
      if let field = words[index].string, let value = words[index + 1].string { fields.append((field, value)) }
      index += 2
    }
    return fields
  }

  /// Publishes `message` on `channel`; how many subscribers received it.
  public func publish(_ channel: String, _ message: [UInt8]) async throws(RedisError) -> Int {
    try Self.integer(try await execute(RedisCommand("PUBLISH", [channel]).appending(message)), command: "PUBLISH")
  }

  private static func optionalBytes(_ reply: RESPValue, command: String) throws(RedisError) -> [UInt8]? {
    switch reply {
    case .bulkString(let bytes?): return Array(bytes.readableBytesView)
    case .bulkString(nil), .null: return nil
    default: throw .unexpectedReply("\(command) answered with a \(reply.kindName)")
    }
  }

  private static func integer(_ reply: RESPValue, command: String) throws(RedisError) -> Int {
    guard let value = reply.integer else { throw .unexpectedReply("\(command) answered with a \(reply.kindName)") }
    return Int(value)
  }

  /// Whole milliseconds, rounded up and at least 1: Redis refuses an expiry of 0.
  static func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int(max(1, milliseconds))
  }
}
