import MarketCore

extension SQLiteQuoteTier {
  /// What the writer has yet to do, in the order it was asked: sans-I/O, so its rules (bounded,
  /// newest kept, invalidations never dropped and hidden from reads until committed) are
  /// plain values to test.
  struct WriteQueue {
    enum Operation: Sendable {
      case store(Quote)
      case storeBlock(BarBlock)
      case storeProfile(Profile)
      /// `sequence` identifies it among the pending invalidations until it is committed.
      case invalidate(InvalidationScope, sequence: Int)

      var isStore: Bool {
        if case .invalidate = self { return false }
        return true
      }

      var barCount: Int {
        if case .storeBlock(let block) = self { return block.bars.count }
        return 0
      }
    }

    /// Values (quotes, blocks, profiles) kept waiting at most; past it the oldest queued one
    /// goes.
    let limit: Int
    /// Bars kept waiting at most, so a burst of minute blocks cannot hold gigabytes; past it
    /// the oldest queued block goes.
    let barLimit: Int
    /// Dropped slots stay as nil until the head passes them, so dropping is O(1).
    private var operations: [Operation?] = []
    private var head = 0
    /// No queued store sits in `head..<oldestStoreCursor`: where to look for the next one to drop.
    private var oldestStoreCursor = 0
    /// Likewise for blocks.
    private var oldestBlockCursor = 0
    private(set) var queuedValues = 0
    private(set) var queuedBars = 0
    private var queuedInvalidations = 0
    private(set) var droppedValues = 0
    /// Invalidations queued or being written. Reads hide what these name, so a reader never
    /// sees a value the core has already dropped while its deletion waits for the writer.
    private(set) var pendingInvalidations: [Int: InvalidationScope] = [:]
    private var nextSequence = 0

    init(limit: Int, barLimit: Int = .max) {
      self.limit = max(0, limit)
      self.barLimit = max(0, barLimit)
    }

    var isEmpty: Bool { count == 0 }
    var count: Int { queuedValues + queuedInvalidations }

    mutating func store(_ quote: Quote) { append(.store(quote)) }
    mutating func store(_ block: BarBlock) { append(.storeBlock(block)) }
    mutating func store(_ profile: Profile) { append(.storeProfile(profile)) }

    private mutating func append(_ operation: Operation) {
      operations.append(operation)
      queuedValues += 1
      queuedBars += operation.barCount
      if queuedValues > limit { dropOldest(blocksOnly: false) }
      while queuedBars > barLimit, dropOldest(blocksOnly: true) {}
    }

    mutating func invalidate(_ scope: InvalidationScope) {
      nextSequence += 1
      pendingInvalidations[nextSequence] = scope
      operations.append(.invalidate(scope, sequence: nextSequence))
      queuedInvalidations += 1
    }

    /// Up to `maximum` operations, oldest first, for one transaction.
    mutating func takeBatch(maximum: Int) -> [Operation] {
      var batch: [Operation] = []
      while batch.count < maximum, head < operations.count {
        if let operation = operations[head] {
          batch.append(operation)
          if operation.isStore {
            queuedValues -= 1
            queuedBars -= operation.barCount
          } else {
            queuedInvalidations -= 1
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

    /// The batch's transaction rolled back. Its values are given up (newer ones will follow);
    /// its invalidations go back to the front, since forgetting one would resurrect what an
    /// operator cleared.
    mutating func failed(_ batch: [Operation]) {
      let retried: [Operation?] = batch.filter { !$0.isStore }
      guard !retried.isEmpty else { return }
      operations.replaceSubrange(head..<head, with: retried)
      oldestStoreCursor += retried.count
      oldestBlockCursor += retried.count
      queuedInvalidations += retried.count
    }

    /// Whether a pending invalidation names the key.
    func hides(_ key: CacheKey) -> Bool {
      pendingInvalidations.values.contains { $0.matches(key) }
    }

    /// Drops the oldest queued value (or block); false when there is none.
    @discardableResult
    private mutating func dropOldest(blocksOnly: Bool) -> Bool {
      var index = max(blocksOnly ? oldestBlockCursor : oldestStoreCursor, head)
      while index < operations.count {
        if let operation = operations[index], operation.isStore, !blocksOnly || operation.barCount > 0 {
          operations[index] = nil
          queuedValues -= 1
          queuedBars -= operation.barCount
          droppedValues += 1
          if blocksOnly { oldestBlockCursor = index + 1 } else { oldestStoreCursor = index + 1 }
          return true
        }
        index += 1
      }
      return false
    }

    /// Drops the consumed prefix once it is most of the array, keeping appends amortised O(1).
    private mutating func compactIfWorthwhile() {
      guard head > 0, head >= operations.count / 2 else { return }
      operations.removeFirst(head)
      oldestStoreCursor = max(0, oldestStoreCursor - head)
      oldestBlockCursor = max(0, oldestBlockCursor - head)
      head = 0
    }
  }
}
