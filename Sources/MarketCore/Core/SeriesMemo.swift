import Synchronization

/// The last series built for each recent history request, kept beside the blocks it was
/// built from. A warm read still looks every block up in memory (so refreshes, staleness
/// and metrics behave as for any read); when each block is the very value the series was
/// built from, the series is reused instead of copying its bars and finding its gaps again.
///
/// Bounded apart from the memory cache's byte budget: at most ``capacity`` series of at most
/// ``maximumBars`` bars each (with 64-byte bars about 17 MB at worst); when full it starts
/// over. Longer series are always built afresh.
final class SeriesMemo: Sendable {
  static let capacity = 64
  static let maximumBars = 4_096

  private struct Entry {
    var from: Int64
    var to: Int64
    /// Held, not only compared: while the entry lives no other value can take these
    /// blocks' identities.
    var blocks: [Served<BarBlock>]
    var series: HistorySeries
    /// No bar of the blocks starts at or after `to`: a later `to` selects the same bars.
    var holdsEveryBar: Bool
  }

  private let entries = Mutex<[HistoryRequest: Entry]>([:])

  /// The series of `blocks` over `[from, to)`, reused when the same blocks built it over the
  /// same start; `build` makes it otherwise.
  func series(
    _ request: HistoryRequest, from: Int64, to: Int64, _ blocks: [Served<BarBlock>],
    build: () -> HistorySeries
  ) -> HistorySeries {
    let reused: HistorySeries? = entries.withLock { entries in
      guard let entry = entries[request], entry.from == from, entry.to <= to, entry.holdsEveryBar || entry.to == to,
        entry.blocks.count == blocks.count,
        zip(entry.blocks, blocks).allSatisfy({ $0.storedIdentity == $1.storedIdentity })
      else { return nil }
      var series = entry.series
      series.to = to
      return series
    }
    if let reused { return reused }
    let series = build()
    guard series.bars.count <= Self.maximumBars else { return series }
    let holdsEveryBar = blocks.allSatisfy { ($0.value.bars.last?.start ?? .min) < to }
    entries.withLock { entries in
      if entries.count >= Self.capacity && entries[request] == nil { entries.removeAll(keepingCapacity: true) }
      entries[request] = Entry(from: from, to: to, blocks: blocks, series: series, holdsEveryBar: holdsEveryBar)
    }
    return series
  }

  /// Forgets everything, as an invalidation does.
  func removeAll() {
    entries.withLock { $0.removeAll() }
  }
}
