import Foundation

extension DataKind {
  /// Blocks of OHLCV bars: `v1:history:AAPL:1d:1735689600` (interval, block start).
  public static let history = DataKind("history")
}

extension HistoryBlock {
  /// The block's cache key: tiers store blocks under its text and match invalidations on it.
  public var key: CacheKey { CacheKey(.history, symbol, parameters: "\(interval.rawValue):\(start)") }
}

/// How long blocks of bars are believed: a block that ended before the last completed
/// session never changes and is kept for good; the block still being written refreshes like a
/// quote.
public struct HistoryPolicy: Hashable, Sendable {
  /// The block holding now (and the one before, until its last session has settled).
  public var current = CachePolicy(timeToLive: .seconds(60), refreshAheadFraction: 0.75, maximumStaleness: .seconds(3_600))
  /// A block whose last bar is settled.
  public var settled = CachePolicy(
    timeToLive: .seconds(366 * 86_400), refreshAheadFraction: 1, maximumStaleness: .seconds(366 * 86_400))
  /// How long after a block's end its last bar may still be revised: a session's close is
  /// final by the next day; an intraday bar within the hour.
  public var settleAfterDaily: Duration = .seconds(36 * 3_600)
  public var settleAfterIntraday: Duration = .seconds(3_600)
  /// Two providers' closes of one bar further apart than this fraction raise a divergence event.
  public var divergenceThreshold = 0.02

  public init() {}

  /// Whether the block's last bar can no longer change at `now`: it is kept for good.
  public func isSettled(_ block: HistoryBlock, at now: Date) -> Bool {
    let margin = block.interval.isIntraday ? settleAfterIntraday : settleAfterDaily
    return TimeInterval(block.end) + margin.seconds <= now.timeIntervalSince1970
  }
}

/// History as a data class of the read pipeline. A request is one ``HistoryBlock``; the core
/// cuts a window into blocks, so a wider window fetches only the blocks it lacks, and one
/// upstream call covers each run of adjacent missing blocks.
struct HistoryData: DataClassDefinition {
  let policies: HistoryPolicy
  let clock: any MarketClock

  var kind: DataKind { .history }

  func key(for block: HistoryBlock) -> CacheKey { block.key }

  func symbol(of block: HistoryBlock) -> Symbol { block.symbol }

  func policy(for block: HistoryBlock) -> CachePolicy {
    isSettled(block, at: clock.wallNow()) ? policies.settled : policies.current
  }

  func isSettled(_ block: HistoryBlock, at now: Date) -> Bool { policies.isSettled(block, at: now) }

  func source(_ provider: any MarketDataProvider, for block: HistoryBlock) -> (any HistoryProvider)? {
    guard let history = provider as? any HistoryProvider, history.historyIntervals.contains(block.interval),
      history.servesHistory(of: block.symbol)
    else {
      return nil
    }
    return history
  }

  /// All of a window's missing blocks in one batch: they are cut into runs below.
  func batchSize(of source: any HistoryProvider) -> Int { 100_000 }

  /// One upstream call per run of adjacent blocks; each block gets the bars that start in it.
  func fetch(
    _ blocks: [HistoryBlock], from source: any HistoryProvider
  ) async throws -> [HistoryBlock: Result<BarBlock, ProviderError>] {
    var results: [HistoryBlock: Result<BarBlock, ProviderError>] = [:]
    for run in Self.runs(of: blocks) {
      guard let first = run.first, let last = run.last else { continue }
      do {
        let answer = try await source.history(for: first.symbol, interval: first.interval, from: first.start, to: last.end)
        let receivedAt = clock.wallNow()
        var bars = answer.bars[...]
        for block in run {
          // Bars outside the block's span are the provider's business; the validator refuses
          // them, so only the ones that belong are taken, and none is invented.
          let inBlock = bars.prefix { $0.start < block.end }
          bars = bars.dropFirst(inBlock.count)
          results[block] = .success(
            BarBlock(
              block: block, bars: inBlock.filter { $0.start >= block.start }, currency: answer.currency,
              exchangeTimeZone: answer.exchangeTimeZone, source: source.id, receivedAt: receivedAt,
              isSimulated: answer.isSimulated))
        }
      } catch {
        if Task.isCancelled { throw error }
        let failure = ProviderError.from(error)
        for block in run { results[block] = .failure(failure) }
      }
    }
    return results
  }

  /// Blocks of one symbol and interval that follow each other end to start, oldest first.
  static func runs(of blocks: [HistoryBlock]) -> [[HistoryBlock]] {
    let sorted = blocks.sorted { ($0.symbol, $0.interval.rawValue, $0.start) < ($1.symbol, $1.interval.rawValue, $1.start) }
    var runs: [[HistoryBlock]] = []
    for block in sorted {
      if let previous = runs.last?.last, previous.symbol == block.symbol, previous.interval == block.interval,
        previous.end == block.start
      {
        runs[runs.count - 1].append(block)
      } else {
        runs.append([block])
      }
    }
    return runs
  }

  func problem(with value: BarBlock, for block: HistoryBlock) -> String? {
    guard value.block == block else { return "bars for \(value.block) came back for \(block)" }
    return value.problem
  }

  /// A block that ends earlier than the one held (a lagging provider) would take bars away.
  func isOlder(_ value: BarBlock, than held: BarBlock) -> Bool {
    (value.bars.last?.start ?? .min) < (held.bars.last?.start ?? .min)
  }

  func divergence(between value: BarBlock, and other: BarBlock) -> String? {
    guard other.source != value.source else { return nil }
    let closes = Dictionary(other.bars.map { ($0.start, $0.close) }) { first, _ in first }
    for bar in value.bars {
      guard let close = closes[bar.start], close > 0 else { continue }
      let difference = abs(bar.close - close) / close
      if difference > policies.divergenceThreshold {
        let day = HistoryRequest.dayText(bar.startDate)
        return "\(value.block.symbol) \(value.block.interval) close of \(day): \(value.source) says \(bar.close), "
          + "\(other.source) says \(close) (\(String(format: "%.1f", difference * 100))% apart)"
      }
    }
    return nil
  }

  /// Blocks are not announced one by one: the dashboard and agents ask for series.
  func announcements(of served: Served<BarBlock>) -> [MarketEvent.Kind] { [] }

  func port(on tier: any CacheTier) -> TierPort<HistoryBlock, BarBlock>? {
    guard let tier = tier as? any HistoryTier else { return nil }
    return TierPort(tier: tier, load: { await tier.load($0) }, store: { tier.store($0) })
  }
}
