import Foundation
import MarketCore

/// One row of a provider's history answer before it becomes a ``Bar``: its start already
/// written the ``BarDating`` way, its prices as read (nil where the provider sent null or
/// text).
struct BarRow {
  var start: Int64
  var open: Double?
  var high: Double?
  var low: Double?
  var close: Double?
  var adjustedClose: Double?
  var volume: Double?

  init(
    start: Int64, open: Double?, high: Double?, low: Double?, close: Double?, adjustedClose: Double? = nil,
    volume: Double? = nil
  ) {
    self.start = start
    self.open = open
    self.high = high
    self.low = low
    self.close = close
    self.adjustedClose = adjustedClose
    self.volume = volume
  }
}

/// Turns rows into the bars a history answer carries, the same way for every provider.
///
/// The core validates what comes back (strictly increasing, low ≤ open and close ≤ high,
/// volume ≥ 0) and blames the provider for what does not hold, so nothing here repairs a
/// price: rows are only put in order and cleaned of what is not a bar.
enum BarRows {
  /// The bars of `rows` that start in `[query.from, query.to)`: a row without all four
  /// prices is skipped (Yahoo sends nulls for sessions it has no trades for), prices are
  /// rounded to `decimals` (after dropping 32-bit float noise when `float32` is set), rows are
  /// put oldest first (FMP sends newest first), and of two rows with one start the later
  /// one in the answer is kept (Yahoo repeats the live session). Rounding keeps order, so it
  /// never turns a valid bar into an invalid one.
  static func bars(_ rows: [BarRow], for query: HistoryQuery, decimals: Int, float32: Bool = false) -> [Bar] {
    func price(_ value: Double) -> Double {
      roundedPrice(float32 ? PricePrecision.fromFloat32(value) : value, decimals: decimals)
    }
    var kept: [(order: Int, bar: Bar)] = []
    kept.reserveCapacity(rows.count)
    for (order, row) in rows.enumerated() where row.start >= query.from && row.start < query.to {
      guard let open = row.open, let high = row.high, let low = row.low, let close = row.close,
        [open, high, low, close].allSatisfy(\.isFinite)
      else { continue }
      let bar = Bar(
        start: row.start, open: price(open), high: price(high), low: price(low), close: price(close),
        adjustedClose: row.adjustedClose.flatMap { $0.isFinite ? price($0) : nil },
        volume: row.volume.flatMap { $0.isFinite ? $0 : nil })
      kept.append((order, bar))
    }
    kept.sort { ($0.bar.start, $0.order) < ($1.bar.start, $1.order) }
    var bars: [Bar] = []
    bars.reserveCapacity(kept.count)
    for (_, bar) in kept {
      if bars.last?.start == bar.start { bars[bars.count - 1] = bar } else { bars.append(bar) }
    }
    return bars
  }

  /// `value` rounded to `decimals`, a price below one keeping at least six significant
  /// digits (a fraction of a cent, an adjusted close from decades ago would otherwise round to
  /// nothing). Rounding keeps order: a value below a power of ten never rounds past it.
  static func roundedPrice(_ value: Double, decimals: Int) -> Double {
    guard value.isFinite, value != 0, abs(value) < 1 else { return value.rounded(toDecimals: decimals) }
    let magnitude = Int(floor(log10(abs(value))))
    return value.rounded(toDecimals: max(decimals, 5 - magnitude))
  }
}
