import MarketCore

extension SQLiteQuoteTier {
  /// What the writer has yet to do, in the order it was asked: sans-I/O, so its rules (bounded,
  /// newest kept, invalidations never dropped and hidden from reads until committed) are
  /// plain values to test.
  struct WriteQueue {
    enum Operation: Sendable {
      case store(Quote)
      /// `sequence` identifies it among the pending invalidations until it is committed.
      case invalidate(Selection, sequence: Int)
    }

    /// Quotes kept waiting at most; past it the oldest queued quote goes.
    let limit: Int
    /// Dropped slots stay as nil until the head passes them, so dropping is O(1).
    private var operations: [Operation?] = []
    private var head = 0
    /// No queued store sits in `head..<oldestStoreCursor`: where to look for the next one to drop.
    private var oldestStoreCursor = 0
    private(set) var queuedQuotes = 0
    private var queuedInvalidations = 0
    private(set) var droppedQuotes = 0
    /// Invalidations queued or being written. Reads hide what these name, so a reader never
    /// sees a value the core has already dropped while its deletion waits for the writer.
    private(set) var pendingInvalidations: [Int: Selection] = [:]
    private var nextSequence = 0

    init(limit: Int) { self.limit = max(0, limit) }

    var isEmpty: Bool { count == 0 }
    var count: Int { queuedQuotes + queuedInvalidations }

    mutating func store(_ quote: Quote) {
      operations.append(.store(quote))
      queuedQuotes += 1
      if queuedQuotes > limit { dropOldestQuote() }
    }

    mutating func invalidate(_ selection: Selection) {
      guard selection != .nothing else { return }
      nextSequence += 1
      pendingInvalidations[nextSequence] = selection
      operations.append(.invalidate(selection, sequence: nextSequence))
      queuedInvalidations += 1
    }

    /// Up to `maximum` operations, oldest first, for one transaction.
    mutating func takeBatch(maximum: Int) -> [Operation] {
      var batch: [Operation] = []
      while batch.count < maximum, head < operations.count {
        if let operation = operations[head] {
          batch.append(operation)
          switch operation {
          case .store: queuedQuotes -= 1
          case .invalidate: queuedInvalidations -= 1
          }
        }
        head += 1
      }
      compactIfWorthwhile()
      return batch
    }

    /// The batch is in the database: its invalidations no longer need hiding.
    mutating func committed(_ batch: [Operation]) {
      for case .invalidate(_, let sequence) in batch { pendingInvalidations[sequence] = nil }
    }

    /// The batch's transaction rolled back. Its quotes are given up (newer ones will follow);
    /// its invalidations go back to the front, since forgetting one would resurrect what an
    /// operator cleared.
    mutating func failed(_ batch: [Operation]) {
      let retried: [Operation?] = batch.filter {
        if case .invalidate = $0 { return true }
        return false
      }
      guard !retried.isEmpty else { return }
      operations.replaceSubrange(head..<head, with: retried)
      oldestStoreCursor += retried.count
      queuedInvalidations += retried.count
    }

    /// Whether a pending invalidation names the symbol.
    func hides(_ symbol: Symbol) -> Bool {
      pendingInvalidations.values.contains { $0.matches(symbol) }
    }

    private mutating func dropOldestQuote() {
      var index = max(oldestStoreCursor, head)
      while index < operations.count {
        if case .store = operations[index] {
          operations[index] = nil
          queuedQuotes -= 1
          droppedQuotes += 1
          oldestStoreCursor = index + 1
          return
        }
        index += 1
      }
    }

    /// Drops the consumed prefix once it is most of the array, keeping appends amortised O(1).
    private mutating func compactIfWorthwhile() {
      guard head > 0, head >= operations.count / 2 else { return }
      operations.removeFirst(head)
      oldestStoreCursor = max(0, oldestStoreCursor - head)
      head = 0
    }
  }
}
