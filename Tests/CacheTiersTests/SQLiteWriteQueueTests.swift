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
      case .invalidate(let selection, _): "-\(selection)"
      }
    }
  }

  @Test func batchesComeOutInOrderAndBounded() throws {
    var queue = Queue(limit: 100)
    for text in ["A", "B", "C"] { queue.store(sqliteQuote(try Symbol(validating: text), 1)) }
    queue.invalidate(.symbol(Symbol("A")))
    queue.store(sqliteQuote(Symbol("D"), 1))
    #expect(Self.symbols(queue.takeBatch(maximum: 2)) == ["A", "B"])
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["C", "-symbol(A)", "D"])
    #expect(queue.isEmpty)
    #expect(queue.takeBatch(maximum: 10).isEmpty)
  }

  @Test func pastTheLimitTheOldestQuoteGoesButNeverAnInvalidation() throws {
    var queue = Queue(limit: 2)
    queue.invalidate(.everything)
    for text in ["A", "B", "C", "D"] { queue.store(sqliteQuote(try Symbol(validating: text), 1)) }
    #expect(queue.droppedQuotes == 2)
    #expect(queue.queuedQuotes == 2)
    #expect(Self.symbols(queue.takeBatch(maximum: 10)) == ["-everything", "C", "D"])
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
    queue.invalidate(.symbolPrefix("BTC"))
    queue.store(sqliteQuote(Symbol("AAPL"), 1))
    #expect(queue.hides(Symbol("BTC-USD")))
    #expect(!queue.hides(Symbol("AAPL")))

    let batch = queue.takeBatch(maximum: 10)
    #expect(queue.hides(Symbol("BTC-USD")), "in flight is still pending")
    queue.failed(batch)
    #expect(queue.hides(Symbol("BTC-USD")))
    queue.store(sqliteQuote(Symbol("KO"), 1))
    let retry = queue.takeBatch(maximum: 10)
    #expect(Self.symbols(retry) == ["-symbolPrefix(\"BTC\")", "KO"], "the failed quote is given up")
    queue.committed(retry)
    #expect(!queue.hides(Symbol("BTC-USD")))
  }

  @Test func scopesNameTheQuotesTheirKeysWould() {
    typealias Selection = SQLiteQuoteTier.Selection
    #expect(Selection(.all) == .everything)
    #expect(Selection(.prefix("")) == .everything)
    #expect(Selection(.prefix("v1:")) == .everything)
    #expect(Selection(.prefix("v1:quote:")) == .everything)
    #expect(Selection(.prefix("v1:quote:BTC")) == .symbolPrefix("BTC"))
    #expect(Selection(.prefix("v1:history:")) == .nothing)
    #expect(Selection(.prefix("v2:quote:AAPL")) == .nothing)
    #expect(Selection(.key(CacheKey(.quote, Symbol("^VIX")))) == .symbol(Symbol("^VIX")))
    #expect(Selection(.key(CacheKey(DataKind("history"), Symbol("^VIX"), parameters: "1d:5m"))) == .nothing)
    #expect(Selection(.symbol(Symbol("KO"))) == .symbol(Symbol("KO")))
    #expect(Selection.symbolPrefix("BTC").matches(Symbol("BTC-USD")))
    #expect(!Selection.symbolPrefix("BTC").matches(Symbol("WBTC")))
  }
}
