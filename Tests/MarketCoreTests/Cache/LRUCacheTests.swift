import MarketCore
import Testing

@Suite("LRU cache")
struct LRUCacheTests {
  @Test("evicts the least recently used entry when over the entry bound")
  func entryBound() {
    var cache = LRUCache<String, Int>(maximumEntries: 3, maximumBytes: 1_000)
    cache.setValue(1, forKey: "a", byteCount: 1)
    cache.setValue(2, forKey: "b", byteCount: 1)
    cache.setValue(3, forKey: "c", byteCount: 1)
    #expect(cache.value(forKey: "a") == 1)  // a is now most recent
    let evicted = cache.setValue(4, forKey: "d", byteCount: 1)
    #expect(evicted.map(\.key) == ["b"])
    #expect(cache.keysByRecency == ["d", "a", "c"])
    #expect(cache.count == 3)
  }

  @Test("evicts by bytes, oldest first, until the new entry fits")
  func byteBound() {
    var cache = LRUCache<String, Int>(maximumEntries: 100, maximumBytes: 100)
    cache.setValue(1, forKey: "a", byteCount: 40)
    cache.setValue(2, forKey: "b", byteCount: 40)
    let evicted = cache.setValue(3, forKey: "c", byteCount: 50)
    #expect(evicted.map(\.key) == ["a"])
    #expect(cache.byteCount == 90)
    #expect(cache.peek("a") == nil)
  }

  @Test("a value larger than the whole budget is not stored and evicts nothing")
  func oversize() {
    var cache = LRUCache<String, Int>(maximumEntries: 10, maximumBytes: 100)
    cache.setValue(1, forKey: "a", byteCount: 10)
    #expect(cache.setValue(2, forKey: "huge", byteCount: 101).isEmpty)
    #expect(cache.peek("huge") == nil)
    #expect(cache.peek("a") == 1)
  }

  @Test("replacing a value updates bytes and recency; peek does not touch recency")
  func replaceAndPeek() {
    var cache = LRUCache<String, Int>(maximumEntries: 10, maximumBytes: 100)
    cache.setValue(1, forKey: "a", byteCount: 10)
    cache.setValue(2, forKey: "b", byteCount: 10)
    cache.setValue(3, forKey: "a", byteCount: 30)
    #expect(cache.byteCount == 40)
    #expect(cache.keysByRecency == ["a", "b"])
    _ = cache.peek("b")
    #expect(cache.keysByRecency == ["a", "b"])
  }

  @Test("removal by predicate and reuse of freed slots keep the list consistent")
  func removeAndReuse() {
    var cache = LRUCache<String, Int>(maximumEntries: 100, maximumBytes: 10_000)
    for index in 0..<20 { cache.setValue(index, forKey: "k\(index)", byteCount: 1) }
    #expect(cache.removeAll { $0.hasSuffix("1") } == 2)  // k1, k11
    #expect(cache.count == 18)
    for index in 20..<25 { cache.setValue(index, forKey: "k\(index)", byteCount: 1) }
    #expect(cache.count == 23)
    #expect(cache.keysByRecency.first == "k24")
    #expect(cache.keysByRecency.last == "k0")
    #expect(Set(cache.keysByRecency).count == 23)
  }
}
