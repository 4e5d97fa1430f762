import Foundation

/// Prices over time and company profiles, through the same pipeline as quotes.
extension MarketDataCore {
  /// A symbol's bars over a window. The window is cut into blocks; each block comes from
  /// memory, the tiers or a provider like any read, so a wider window than one already asked
  /// fetches only the blocks it lacks, in one upstream call per run of adjacent missing
  /// blocks, which concurrent callers share.
  public func history(_ request: HistoryRequest) async throws(ReadError) -> Served<HistorySeries> {
    let (from, to) = request.window.bounds(now: context.clock.wallNow())
    let blocks = HistoryBlock.covering(request.symbol, request.interval, from: from, to: to)
    let results = await historyReads.read(blocks)
    var served: [Served<BarBlock>] = []
    served.reserveCapacity(blocks.count)
    for block in blocks {
      switch results[block] {
      case .success(let answer)?: served.append(answer)
      case .failure(let error)?: throw error
      case nil: throw ReadError.cancelled
      }
    }
    return Self.series(of: request, from: from, to: to, served)
  }

  /// The blocks of a window one at a time, for streaming a long series without holding it:
  /// `body` gets each block's bars inside the window, oldest first. Blocks are read
  /// `blocksAtOnce` at a time (missing ones in one upstream call per run, as a series read
  /// does), so memory holds one such slice, never the whole series. The first failure ends
  /// the walk and is thrown; `body` may throw to stop early.
  public func historyBlocks(
    _ request: HistoryRequest, blocksAtOnce: Int = 32,
    _ body: (Served<BarBlock>, ArraySlice<Bar>) async throws -> Void
  ) async throws {
    let (from, to) = request.window.bounds(now: context.clock.wallNow())
    let blocks = HistoryBlock.covering(request.symbol, request.interval, from: from, to: to)
    for start in stride(from: 0, to: blocks.count, by: max(1, blocksAtOnce)) {
      let slice = Array(blocks[start..<min(start + max(1, blocksAtOnce), blocks.count)])
      let results = await historyReads.read(slice)
      for block in slice {
        let served: Served<BarBlock>
        switch results[block] {
        case .success(let answer)?: served = answer
        case .failure(let error)?: throw error
        case nil: throw ReadError.cancelled
        }
        let bars = served.value.bars
        let first = bars.firstIndex { $0.start >= from } ?? bars.endIndex
        let end = bars[first...].firstIndex { $0.start >= to } ?? bars.endIndex
        try await body(served, bars[first..<end])
      }
    }
  }

  /// One block of bars, through the pipeline like any read.
  public func historyBlock(_ block: HistoryBlock) async throws(ReadError) -> Served<BarBlock> {
    try await historyReads.read(block)
  }

  /// The window a request resolves to now, `[from, to)` in epoch seconds.
  public func bounds(of request: HistoryRequest) -> (from: Int64, to: Int64) {
    request.window.bounds(now: context.clock.wallNow())
  }

  /// What a company is; believed for a day.
  public func profile(_ symbol: Symbol) async throws(ReadError) -> Served<Profile> {
    try await profileReads.read(symbol)
  }

  /// Joins blocks into one series: bars in the window, sources newest first, the oldest
  /// block's age, stale if any block is.
  static func series(
    of request: HistoryRequest, from: Int64, to: Int64, _ blocks: [Served<BarBlock>]
  ) -> Served<HistorySeries> {
    var bars: [Bar] = []
    bars.reserveCapacity(blocks.reduce(0) { $0 + $1.value.bars.count })
    var sources: [ProviderID] = []
    var receivedAt = Date.distantFuture
    var age = Duration.zero
    var isStale = false
    var isSimulated = false
    var currency: String?
    var timeZone: String?
    for block in blocks {
      for bar in block.value.bars where bar.start >= from && bar.start < to { bars.append(bar) }
      if !sources.contains(block.value.source) { sources.insert(block.value.source, at: 0) }
      receivedAt = min(receivedAt, block.value.receivedAt)
      age = max(age, block.age)
      isStale = isStale || block.isStale
      isSimulated = isSimulated || block.value.isSimulated
      currency = block.value.currency ?? currency
      timeZone = block.value.exchangeTimeZone ?? timeZone
    }
    let series = HistorySeries(
      symbol: request.symbol, interval: request.interval, from: from, to: to, currency: currency,
      exchangeTimeZone: timeZone, bars: bars, sources: sources,
      receivedAt: receivedAt == .distantFuture ? Date(timeIntervalSince1970: TimeInterval(to)) : receivedAt,
      isSimulated: isSimulated, gaps: MarketCalendar(request.symbol.assetClass).gaps(in: bars, interval: request.interval))
    let origin = blocks.last?.origin ?? .memory
    return Served(series, isStale: isStale, age: age, origin: origin)
  }
}
