import Foundation
import MarketCore
import MarketTesting
import Testing

@Suite("L1 cache freshness")
struct L1CacheTests {
  let policy = CachePolicy(timeToLive: .seconds(10), refreshAheadFraction: 0.5, maximumStaleness: .seconds(20))

  func makeCache(entries: Int = 100, bytes: Int = 1 << 20, shards: Int = 1) -> L1Cache<Int> {
    L1Cache(maximumEntries: entries, maximumBytes: bytes, shards: shards)
  }

  @Test("fresh, then refresh due once, then stale once, then gone")
  func lifecycle() {
    let cache = makeCache()
    let key = CacheKey(.quote, Symbol("AAPL"))
    let start = MarketInstant(nanoseconds: 0)
    cache.store(1, for: key, byteCount: 8, storedAt: start, policy: policy)

    guard case .fresh(1, _) = cache.lookup(key, now: start + .seconds(4)) else {
      Issue.record("expected fresh")
      return
    }
    guard case .refreshDue(1, _, startRefresh: true) = cache.lookup(key, now: start + .seconds(6)) else {
      Issue.record("expected the first refresh-due read to claim the refresh")
      return
    }
    guard case .refreshDue(1, _, startRefresh: false) = cache.lookup(key, now: start + .seconds(7)) else {
      Issue.record("expected later reads not to start another refresh")
      return
    }
    cache.releaseRefreshClaim(key)
    guard case .stale(1, _, startRefresh: true) = cache.lookup(key, now: start + .seconds(15)) else {
      Issue.record("expected stale with a fresh claim after release")
      return
    }
    guard case .miss = cache.lookup(key, now: start + .seconds(30)) else {
      Issue.record("expected the entry to be gone past the staleness limit")
      return
    }
    let statistics = cache.statistics
    #expect(statistics.hits == 4)
    #expect(statistics.misses == 1)
    #expect(statistics.staleServes == 1)
    #expect(statistics.expirations == 1)
    #expect(statistics.entries == 0)
  }

  @Test("storing a refreshed value resets freshness and the refresh claim")
  func restoreAfterRefresh() {
    let cache = makeCache()
    let key = CacheKey(.quote, Symbol("MSFT"))
    cache.store(1, for: key, byteCount: 8, storedAt: MarketInstant(nanoseconds: 0), policy: policy)
    _ = cache.lookup(key, now: .origin + .seconds(6))
    cache.store(2, for: key, byteCount: 8, storedAt: .origin + .seconds(6), policy: policy)
    guard case .fresh(2, _) = cache.lookup(key, now: .origin + .seconds(7)) else {
      Issue.record("expected the new value fresh")
      return
    }
  }

  @Test("bounded by bytes across the cache, counting evictions")
  func byteBound() throws {
    let cache = makeCache(entries: 1_000, bytes: 100)
    for index in 0..<20 {
      cache.store(
        index, for: CacheKey(.quote, try Symbol(validating: "S\(index)")), byteCount: 10, storedAt: .origin, policy: policy)
    }
    let statistics = cache.statistics
    #expect(statistics.bytes <= 100)
    #expect(statistics.entries == 10)
    #expect(statistics.evictions == 10)
  }

  @Test("prefix invalidation matches the versioned key text, and only when asked")
  func prefixInvalidation() throws {
    let cache = makeCache()
    for text in ["BTC-USD", "BTC-EUR", "ETH-USD", "AAPL"] {
      cache.store(1, for: CacheKey(.quote, try Symbol(validating: text)), byteCount: 8, storedAt: .origin, policy: policy)
    }
    let series = CacheKey(DataKind("history"), Symbol("BTC-USD"), parameters: "1d:2024-01-02:2025-01-02")
    cache.store(1, for: series, byteCount: 8, storedAt: .origin, policy: policy)
    #expect(CacheKey(.quote, Symbol("BTC-USD")).description == "v1:quote:BTC-USD")
    #expect(cache.removeAll(matching: .prefix("v1:quote:BTC")) == 2)
    #expect(cache.statistics.entries == 3)
    #expect(cache.removeAll(matching: .all) == 3)
  }

  @Test("a symbol's invalidation takes every kind of exactly that symbol, never one it is the start of")
  func exactSymbolInvalidation() throws {
    // Several shards: a symbol's keys must still all be found.
    let cache = makeCache(shards: 8)
    let history = DataKind("history")
    for text in ["BA", "BABA", "BTC", "BTC-USD", "V", "VTI"] {
      let symbol = try Symbol(validating: text)
      cache.store(1, for: CacheKey(.quote, symbol), byteCount: 8, storedAt: .origin, policy: policy)
      cache.store(
        1, for: CacheKey(history, symbol, parameters: "1d:2024-01-02:2025-01-02"), byteCount: 8, storedAt: .origin, policy: policy
      )
    }
    #expect(cache.removeAll(matching: .symbol(Symbol("BA"))) == 2)
    #expect(cache.removeAll(matching: .symbol(Symbol("BTC"))) == 2)
    #expect(cache.removeAll(matching: .key(CacheKey(.quote, Symbol("V")))) == 1)
    for text in ["BABA", "BTC-USD", "VTI"] {
      #expect(cache.peek(CacheKey(.quote, try Symbol(validating: text))) != nil, "\(text) went with a shorter symbol")
    }
    #expect(cache.peek(CacheKey(history, Symbol("V"), parameters: "1d:2024-01-02:2025-01-02")) != nil)
    #expect(cache.statistics.entries == 7)
  }
}

@Suite("Cache keys")
struct CacheKeyTests {
  @Test("the text form reads back; other versions and junk do not")
  func roundTrip() {
    let keys = [
      CacheKey(.quote, Symbol("BRK-B")), CacheKey(DataKind("history"), Symbol("^VIX"), parameters: "1d:2024-01-02:2025-01-02"),
    ]
    for key in keys {
      #expect(CacheKey(key.description) == key)
    }
    #expect(keys[1].description == "v1:history:^VIX:1d:2024-01-02:2025-01-02")
    for text in [
      "v2:quote:AAPL", "v1:quote:", "v1::AAPL", "v1:Quote:AAPL", "v1:quote:aapl", "v1:quote:AAPL:", "", "v1:quote:A A",
    ] {
      #expect(CacheKey(text) == nil, "\(text)")
    }
  }
}
