/// A least-recently-used map bounded by entry count and by bytes, with O(1) get, put and
/// eviction: a dictionary into an array of slots linked in recency order.
///
/// Not thread-safe by itself; ``L1Cache`` shards it behind locks.
public struct LRUCache<Key: Hashable, Value> {
  /// Recency links live apart from the values so that a hit, which only relinks, never
  /// copies a value.
  private struct Link {
    var newer: Int32
    var older: Int32
  }

  private static var none: Int32 { -1 }

  private var index: [Key: Int32] = [:]
  // One slot's parts in parallel arrays, read in place: a hit copies its value and nothing
  // else (not the key's strings, which a slot struct read through an optional would copy).
  private var keys: [Key?] = []
  private var values: [Value?] = []
  private var byteCounts: [Int] = []
  private var links: [Link] = []
  private var freeSlots: [Int32] = []
  /// Most recently used.
  private var newest: Int32 = -1
  /// Least recently used: evicted first.
  private var oldest: Int32 = -1

  public let maximumEntries: Int
  public let maximumBytes: Int
  public private(set) var byteCount = 0

  public init(maximumEntries: Int, maximumBytes: Int) {
    self.maximumEntries = max(1, maximumEntries)
    self.maximumBytes = max(1, maximumBytes)
  }

  public var count: Int { index.count }
  public var isEmpty: Bool { index.isEmpty }

  /// Reads a value and marks it most recently used.
  public mutating func value(forKey key: Key) -> Value? {
    guard let slot = index[key] else { return nil }
    moveToNewest(slot)
    return values[Int(slot)]
  }

  /// Reads without touching recency.
  public func peek(_ key: Key) -> Value? {
    guard let slot = index[key] else { return nil }
    return values[Int(slot)]
  }

  /// Changes a value in place without touching recency; returns false when absent.
  @discardableResult
  public mutating func modify(_ key: Key, _ body: (inout Value) -> Void) -> Bool {
    guard let slot = index[key], var value = values[Int(slot)] else { return false }
    body(&value)
    values[Int(slot)] = value
    return true
  }

  /// Inserts or replaces; returns the entries evicted to make room, oldest first. A value
  /// larger than the whole byte budget is not stored (and evicts nothing).
  @discardableResult
  public mutating func setValue(_ value: Value, forKey key: Key, byteCount: Int) -> [(key: Key, value: Value)] {
    guard byteCount <= maximumBytes else {
      removeValue(forKey: key)
      return []
    }
    if let slot = index[key] {
      self.byteCount += byteCount - byteCounts[Int(slot)]
      values[Int(slot)] = value
      byteCounts[Int(slot)] = byteCount
      moveToNewest(slot)
    } else {
      let link = Link(newer: Self.none, older: newest)
      let slot: Int32
      if let free = freeSlots.popLast() {
        slot = free
        keys[Int(slot)] = key
        values[Int(slot)] = value
        byteCounts[Int(slot)] = byteCount
        links[Int(slot)] = link
      } else {
        slot = Int32(values.count)
        keys.append(key)
        values.append(value)
        byteCounts.append(byteCount)
        links.append(link)
      }
      if newest != Self.none { links[Int(newest)].newer = slot }
      newest = slot
      if oldest == Self.none { oldest = slot }
      index[key] = slot
      self.byteCount += byteCount
    }
    var evicted: [(key: Key, value: Value)] = []
    while index.count > maximumEntries || self.byteCount > maximumBytes, oldest != Self.none, oldest != index[key] {
      if let removed = removeSlot(oldest) { evicted.append(removed) }
    }
    return evicted
  }

  @discardableResult
  public mutating func removeValue(forKey key: Key) -> Value? {
    guard let slot = index[key] else { return nil }
    return removeSlot(slot)?.value
  }

  /// Removes every entry whose key matches; returns how many went.
  @discardableResult
  public mutating func removeAll(where shouldRemove: (Key) -> Bool) -> Int {
    let doomed = index.keys.filter(shouldRemove)
    for key in doomed { removeValue(forKey: key) }
    return doomed.count
  }

  /// Keys from most to least recently used.
  public var keysByRecency: [Key] {
    var ordered: [Key] = []
    var slot = newest
    while slot != Self.none, let key = keys[Int(slot)] {
      ordered.append(key)
      slot = links[Int(slot)].older
    }
    return ordered
  }

  private mutating func removeSlot(_ slot: Int32) -> (key: Key, value: Value)? {
    guard let key = keys[Int(slot)], let value = values[Int(slot)] else { return nil }
    unlink(slot)
    keys[Int(slot)] = nil
    values[Int(slot)] = nil
    freeSlots.append(slot)
    index[key] = nil
    byteCount -= byteCounts[Int(slot)]
    return (key, value)
  }

  private mutating func unlink(_ slot: Int32) {
    let link = links[Int(slot)]
    if link.newer != Self.none { links[Int(link.newer)].older = link.older } else { newest = link.older }
    if link.older != Self.none { links[Int(link.older)].newer = link.newer } else { oldest = link.newer }
  }

  private mutating func moveToNewest(_ slot: Int32) {
    guard slot != newest else { return }
    unlink(slot)
    links[Int(slot)] = Link(newer: Self.none, older: newest)
    if newest != Self.none { links[Int(newest)].newer = slot }
    newest = slot
    if oldest == Self.none { oldest = slot }
  }
}
