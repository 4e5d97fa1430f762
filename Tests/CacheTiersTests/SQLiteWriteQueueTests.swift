import Foundation
import MarketCore
import Testing

@testable import CacheTiers

/// The writer's queue alone: ordering, bounds and what reads must hide.
@Suite struct SQLiteWriteQueueTests {
  typealias Queue = SQLiteQuoteTier.WriteQueue

  static func symbols(_ batch: [Queue.Operation]) -> [String] {
    batch.map {
      switch $0 {
      case .store(let quote): quote.symbol.text
      case .storeBlock(let block): "block \(block.block.symbol)"
      case .storeProfile(let profile): "profile \(profile.symbol)"
      case .invalidate(let scope, _): "-\(scope)"
      }
    }
  }

  @Test func batchesComeOutInOrderAndBounded() throws {
    var queue = Queue(limit: 100)
    for text in ["A", "B", "C"] { queue.store(sqliteQuote(try Symbol(validating: text), 1)) }
    queue.invalidate(.symbol(Symbol("A")))
    queue.store(sqliteQuote(Symbol("D"), 1))
    #expect(Self.symbols(queue.takeBatch(maximum: 2)) == ["A", "B"])
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["C", "-symbol A", "D"])
    #expect(queue.isEmpty)
    #expect(queue.takeBatch(maximum: 10).isEmpty)
  }

  @Test func pastTheLimitTheOldestQuoteGoesButNeverAnInvalidation() throws {
    var queue = Queue(limit: 2)
    queue.invalidate(.all)
    for text in ["A", "B", "C", "D"] { queue.store(sqliteQuote(try Symbol(validating: text), 1)) }
    #expect(queue.droppedValues == 2)
    #expect(queue.queuedValues == 2)
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["-all", "C", "D"])
  }

  @Test func dropsStayCheapAndCorrectAcrossBatches() throws {
    var queue = Queue(limit: 3)
    for index in 0..<1_000 {
      queue.store(sqliteQuote(try Symbol(validating: "S\(index)"), 1))
      if index % 7 == 0 { _ = queue.takeBatch(maximum: 2) }
    }
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["S997", "S998", "S999"])
    #expect(queue.isEmpty)
  }

  @Test func invalidationsStayHiddenUntilCommittedAndComeBackWhenTheBatchFails() {
    var queue = Queue(limit: 10)
    let btc = CacheKey(.quote, Symbol("BTC-USD"))
    queue.invalidate(.prefix("v1:quote:BTC"))
    queue.store(sqliteQuote(Symbol("AAPL"), 1))
    #expect(queue.hides(btc))
    #expect(!queue.hides(CacheKey(.quote, Symbol("AAPL"))))
    #expect(!queue.hides(CacheKey(.profile, Symbol("BTC-USD"))), "only the keys the scope names")

    let batch = queue.takeBatch(maximum: 10)
    #expect(queue.hides(btc), "in flight is still pending")
    queue.failed(batch)
    #expect(queue.hides(btc))
    queue.store(sqliteQuote(Symbol("KO"), 1))
    let retry = queue.takeBatch(maximum: 10)
    #expect(Self.symbols(retry) == ["-prefix v1:quote:BTC", "KO"], "the failed quote is given up")
    queue.committed(retry)
    #expect(!queue.hides(btc))
  }

  @Test func scopesNameTheQuotesTheirKeysWould() {
    typealias Selection = SQLiteQuoteTier.Selection
    #expect(Selection(.all, kind: .quote) == .everything)
    #expect(Selection(.prefix(""), kind: .quote) == .everything)
    #expect(Selection(.prefix("v1:"), kind: .quote) == .everything)
    #expect(Selection(.prefix("v1:quote:"), kind: .quote) == .everything)
    #expect(Selection(.prefix("v1:quote:BTC"), kind: .quote) == .symbolPrefix("BTC"))
    #expect(Selection(.prefix("v1:quote:BTC:"), kind: .quote) == .nothing, "a quote key ends at its symbol")
    #expect(Selection(.prefix("v1:history:"), kind: .quote) == .nothing)
    #expect(Selection(.prefix("v2:quote:AAPL"), kind: .quote) == .nothing)
    #expect(Selection(.key(CacheKey(.quote, Symbol("^VIX"))), kind: .quote) == .symbol(Symbol("^VIX")))
    #expect(Selection(.key(CacheKey(.history, Symbol("^VIX"), parameters: "1d:5m")), kind: .quote) == .nothing)
    #expect(Selection(.symbol(Symbol("KO")), kind: .quote) == .symbol(Symbol("KO")))
    #expect(Selection.symbolPrefix("BTC").matches(Symbol("BTC-USD")))
    #expect(!Selection.symbolPrefix("BTC").matches(Symbol("WBTC")))
  }

  @Test func historyScopesNarrowToSymbolsAndSayWhenEachKeyMustBeMatched() {
    typealias Selection = SQLiteQuoteTier.Selection
    func history(_ scope: InvalidationScope) -> Selection { Selection(scope, kind: .history, parameterized: true) }
    #expect(history(.prefix("v1:history:")) == .everything)
    #expect(history(.prefix("v1:history:BTC")) == .symbolPrefix("BTC"))
    #expect(history(.prefix("v1:history:BTC-USD:")) == .symbol(Symbol("BTC-USD")))
    #expect(history(.prefix("v1:history:BTC-USD:1d:17")) == .symbol(Symbol("BTC-USD")))
    #expect(history(.prefix("v1:history:btc-usd:")) == .nothing, "keys hold canonical symbols")
    #expect(history(.prefix("v1:quote:")) == .nothing)
    #expect(history(.key(CacheKey(.quote, Symbol("BA")))) == .nothing)
    #expect(
      history(.key(HistoryBlock(symbol: Symbol("BA"), interval: .oneDay, start: 0, end: 86_400).key)) == .symbol(Symbol("BA")))
    #expect(Selection.needsEveryKeyChecked(.prefix("v1:history:BTC-USD:1d")))
    #expect(Selection.needsEveryKeyChecked(.key(CacheKey(.quote, Symbol("BA")))))
    #expect(!Selection.needsEveryKeyChecked(.prefix("v1:history:BTC")))
    #expect(!Selection.needsEveryKeyChecked(.symbol(Symbol("BA"))))
    #expect(!Selection.needsEveryKeyChecked(.all))
  }

  @Test func pastTheBarLimitTheOldestBlockGoes() {
    var queue = Queue(limit: 100, barLimit: 30)
    func block(_ symbol: Symbol, bars: Int) -> BarBlock {
      let start: Int64 = 1_764_547_200
      return BarBlock(
        block: HistoryBlock(symbol: symbol, interval: .oneMinute, start: start, end: start + 86_400),
        bars: (0..<bars).map { Bar(start: start + Int64($0) * 60, open: 1, high: 1, low: 1, close: 1) },
        source: "p", receivedAt: Date(timeIntervalSince1970: 0), isSimulated: false)
    }
    queue.store(sqliteQuote(Symbol("KO"), 1))
    queue.store(block(Symbol("A"), bars: 20))
    queue.store(block(Symbol("B"), bars: 5))
    queue.store(block(Symbol("C"), bars: 20))
    #expect(queue.droppedValues == 1)
    #expect(queue.queuedBars == 25)
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["KO", "block B", "block C"])
    #expect(queue.queuedBars == 0)
  }
}
