/// A least-recently-used map bounded by entry count and by bytes, with O(1) get, put and
/// eviction: a dictionary into an array of nodes linked in recency order.
///
/// Not thread-safe by itself; ``L1Cache`` shards it behind locks.
public struct LRUCache<Key: Hashable, Value> {
  private struct Node {
    var key: Key
    var value: Value
    var byteCount: Int
    var newer: Int32
    var older: Int32
  }

  private static var none: Int32 { -1 }

  private var index: [Key: Int32] = [:]
  private var nodes: [Node?] = []
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
    return nodes[Int(slot)]?.value
  }

  /// Reads without touching recency.
  public func peek(_ key: Key) -> Value? {
    guard let slot = index[key] else { return nil }
    return nodes[Int(slot)]?.value
  }

  /// Changes a value in place without touching recency; returns false when absent.
  @discardableResult
  public mutating func modify(_ key: Key, _ body: (inout Value) -> Void) -> Bool {
    guard let slot = index[key], var node = nodes[Int(slot)] else { return false }
    body(&node.value)
    nodes[Int(slot)] = node
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
    if let slot = index[key], var node = nodes[Int(slot)] {
      self.byteCount += byteCount - node.byteCount
      node.value = value
      node.byteCount = byteCount
      nodes[Int(slot)] = node
      moveToNewest(slot)
    } else {
      let node = Node(key: key, value: value, byteCount: byteCount, newer: Self.none, older: newest)
      let slot: Int32
      if let free = freeSlots.popLast() {
        slot = free
        nodes[Int(slot)] = node
      } else {
        slot = Int32(nodes.count)
        nodes.append(node)
      }
      if newest != Self.none { nodes[Int(newest)]?.newer = slot }
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
    var keys: [Key] = []
    var slot = newest
    while slot != Self.none, let node = nodes[Int(slot)] {
      keys.append(node.key)
      slot = node.older
    }
    return keys
  }

  private mutating func removeSlot(_ slot: Int32) -> (key: Key, value: Value)? {
    guard let node = nodes[Int(slot)] else { return nil }
    unlink(slot, node)
    nodes[Int(slot)] = nil
    freeSlots.append(slot)
    index[node.key] = nil
    byteCount -= node.byteCount
    return (node.key, node.value)
  }

  private mutating func unlink(_ slot: Int32, _ node: Node) {
    if node.newer != Self.none { nodes[Int(node.newer)]?.older = node.older } else { newest = node.older }
    if node.older != Self.none { nodes[Int(node.older)]?.newer = node.newer } else { oldest = node.newer }
  }

  private mutating func moveToNewest(_ slot: Int32) {
    guard slot != newest, let node = nodes[Int(slot)] else { return }
    unlink(slot, node)
    nodes[Int(slot)]?.older = newest
    nodes[Int(slot)]?.newer = Self.none
    if newest != Self.none { nodes[Int(newest)]?.newer = slot }
    newest = slot
    if oldest == Self.none { oldest = slot }
  }
}
