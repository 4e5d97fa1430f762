import Foundation
import MarketCore

/// A series as a chart of block cells: one column per bar (or per run of bars when there
/// are more bars than columns), filled up to the close in eighths of a cell, each column in
/// the theme's up or down colour against the column before. The price axis is on the right,
/// dates below, and a gap in the series is a dotted column.
enum PriceChart {
  static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  static let gapMarker = "┊"
  /// Rows between price labels on the axis.
  static let labelSpacing = 4

  static func render(_ series: HistorySeries, utcOffset: Int, in rect: Rect, into buffer: inout ScreenBuffer) {
    let bars = series.bars
    guard let summary = series.summary, rect.height >= 3 else { return }
    let low = summary.low
    let high = summary.high
    let axisWidth = [high, low, (high + low) / 2].map { DisplayWidth.of(Format.price($0)) }.max() ?? 8
    let plot = Rect(row: rect.row, column: rect.column, width: rect.width - axisWidth - 2, height: rect.height - 1)
    guard plot.width >= 4, plot.height >= 1 else { return }

    // Which bars each column stands for: its last bar's close is its value.
    let count = bars.count
    let width = plot.width
    var barIndex: [Int] = []
    barIndex.reserveCapacity(width)
    for column in 0..<width {
      barIndex.append(
        count >= width ? min(count - 1, (column + 1) * count / width - 1) : min(count - 1, column * count / width))
    }
    let eighths = plot.height * 8
    let span = high - low
    func level(_ value: Double) -> Int {
      guard span > 0 else { return eighths / 2 }
      return min(eighths, max(1, Int(((value - low) / span * Double(eighths - 1)).rounded()) + 1))
    }

    // Gaps: the column where the bar after each gap is drawn.
    var gapColumns = Set<Int>()
    if !series.gaps.isEmpty {
      let starts = Dictionary(bars.enumerated().map { ($0.element.start, $0.offset) }, uniquingKeysWith: { first, _ in first })
      for gap in series.gaps {
        guard let index = starts[gap.before] else { continue }
        if let column = barIndex.firstIndex(where: { $0 >= index }) { gapColumns.insert(column) }
      }
    }

    var previous = bars[0].open
    for column in 0..<width {
      let index = barIndex[column]
      let close = bars[index].close
      let role: Role = close >= previous ? .priceUp : .priceDown
      let filled = level(close)
      for row in 0..<plot.height {
        let fromBottom = plot.height - 1 - row
        let inCell = filled - fromBottom * 8
        let cellRow = plot.row + row
        if inCell >= 8 {
          buffer.write("█", row: cellRow, column: plot.column + column, role: role, clip: plot)
        } else if inCell > 0 {
          buffer.write(String(levels[inCell - 1]), row: cellRow, column: plot.column + column, role: role, clip: plot)
        } else if gapColumns.contains(column) {
          buffer.write(gapMarker, row: cellRow, column: plot.column + column, role: .warning, clip: plot)
        }
      }
      previous = close
    }

    // The axis: a rule beside the plot with labels every few rows, the high at the top and
    // the low at the bottom.
    let axisColumn = plot.right
    for row in 0..<plot.height {
      let labelled = row == 0 || row == plot.height - 1 || (row % labelSpacing == 0 && plot.height - 1 - row >= 2)
      buffer.write(labelled ? "┤" : "│", row: plot.row + row, column: axisColumn, role: .border, clip: rect)
      guard labelled else { continue }
      let value: Double
      if row == 0 {
        value = high
      } else if row == plot.height - 1 {
        value = low
      } else {
        value = low + span * (Double(plot.height - 1 - row) + 0.5) / Double(plot.height)
      }
      buffer.write(Format.price(value), row: plot.row + row, column: axisColumn + 1, role: .label, clip: rect)
    }

    // Dates below: a label at the first column and then wherever the next one fits.
    let dateRow = plot.bottom
    let daily = !series.interval.isIntraday
    let spanSeconds = (bars.last?.start ?? 0) - bars[0].start
    var column = 0
    while column < width {
      let start = bars[barIndex[column]].start
      let label = Format.chartDate(start, daily: daily, spanSeconds: spanSeconds, utcOffset: utcOffset)
      let labelWidth = DisplayWidth.of(label)
      guard column + labelWidth + 1 <= width else { break }
      buffer.write("╵" + label, row: dateRow, column: plot.column + column, role: .dim, clip: rect)
      column += labelWidth + 5
    }
  }
}

extension Format {
  /// `YYYY-MM-DD` of an epoch second (UTC).
  static func day(_ seconds: Int64) -> String {
    HistoryRequest.dayText(Date(timeIntervalSince1970: TimeInterval(seconds)))
  }

  /// A bar's start: its date for daily and longer bars, `YYYY-MM-DD HH:mm` UTC otherwise.
  static func barTime(_ seconds: Int64, daily: Bool) -> String {
    guard !daily else { return day(seconds) }
    return day(seconds) + " " + String(clock(Date(timeIntervalSince1970: TimeInterval(seconds)), utcOffset: 0).prefix(5))
  }

  /// A date label under the chart, as short as the window allows: `14:30` within a day,
  /// `12-03 14:30` over intraday days, `2026-12-03` for daily bars, `2026-12` past five years.
  static func chartDate(_ seconds: Int64, daily: Bool, spanSeconds: Int64, utcOffset: Int) -> String {
    if !daily {
      let local = seconds + Int64(utcOffset)
      let time = String(clock(Date(timeIntervalSince1970: TimeInterval(seconds)), utcOffset: utcOffset).prefix(5))
      if spanSeconds < 86_400 { return time }
      return String(day(local).dropFirst(5)) + " " + time
    }
    if spanSeconds > 5 * 366 * 86_400 { return String(day(seconds).prefix(7)) }
    return day(seconds)
  }
}
