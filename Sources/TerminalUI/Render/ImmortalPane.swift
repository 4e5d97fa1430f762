import Foundation
import MarketCore

/// One immortal's pane: who they are, then a row per active symbol with price, change,
/// sparkline, source provider and age. Stale rows are dimmed and their price marked `~`;
/// prices delayed by the exchange's terms are marked `d`.
enum ImmortalPane {
  static let sparklineWidth = 8
  static let staleMarker: Character = "~"
  static let delayedMarker: Character = "d"

  static func render(
    _ immortal: ImmortalID, state: DashboardState, layout: DashboardLayout, in rect: Rect, into buffer: inout ScreenBuffer
  ) {
    guard !rect.isEmpty else { return }
    let person = Immortal.named(immortal)
    let focused = state.overlay == nil && state.focus == .immortal(immortal)
    let list = state.shown.watchlist(immortal)
    let symbols = state.displayedSymbols(immortal)
    var title = "\(immortal.ordinal + 1) \(person.chineseName) \(person.pinyin) \(person.trigramSymbol)\(person.trigram)"
    if !layout.showsStanceLine { title += " · \(person.stance)" }
    var right = "\(symbols.count)/\(list.entries.count)"
    if let scroll = layout.scroll, immortal == layout.immortals.last?.id, scroll.first + scroll.visible < scroll.total {
      right = "▼ more  " + right
    } else if let scroll = layout.scroll, immortal == layout.immortals.first?.id, scroll.first > 0 {
      right = "▲ more  " + right
    }
    buffer.drawTitleRule(title, in: rect.rows(from: 0, count: 1), focused: focused, right: right, rightRole: .dim)
    var body = rect.rows(from: 1)
    if layout.showsStanceLine {
      buffer.write(person.stance, in: body.rows(from: 0, count: 1), role: .dim)
      body = body.rows(from: 1)
    }
    guard !body.isEmpty else { return }
    if symbols.isEmpty {
      buffer.write(
        list.entries.isEmpty ? "no symbols: w edits the watchlist" : "every symbol inactive: w edits", in: body, role: .dim)
      return
    }
    let rows = rows(for: symbols, state: state)
    let columns = fitColumns(rows, width: body.width)
    let selected = focused ? state.symbolSelection[immortal] ?? 0 : -1
    let capacity = body.height
    let needsMore = rows.count > capacity
    for (index, row) in rows.enumerated() {
      guard index < capacity else { break }
      let line = body.rows(from: index, count: 1)
      if needsMore, index == capacity - 1 {
        buffer.write("+\(rows.count - index) more (w lists them)", in: line, role: .dim)
        break
      }
      draw(row, columns: columns, selected: index == selected, in: line, into: &buffer)
    }
  }

  /// The texts and roles of one symbol row, before fitting.
  struct Row {
    var symbol: String
    var price: String?
    var change: String?
    var percent: String?
    var direction: Int
    var history: [Double]
    var source: String?
    var age: String?
    var isStale: Bool
    /// Delayed by the exchange's terms (Cboe): marked `d` where a stale price has `~`.
    var isDelayed: Bool = false
    var highlight: Int
  }

  struct Columns {
    var symbol: Int
    var price: Int
    var change: Int?
    var percent: Int
    var sparkline: Int?
    var source: Int
    var age: Int
  }

  static func rows(for symbols: [Symbol], state: DashboardState) -> [Row] {
    let view = state.shown
    let time = state.dataTime
    return symbols.map { symbol in
      guard let row = view.quotes[symbol] else {
        return Row(
          symbol: symbol.text, price: nil, change: nil, percent: nil, direction: 0, history: [], source: nil, age: nil,
          isStale: false, highlight: 0)
      }
      let quote = row.quote
      let change = quote.change ?? quote.previousClose.map { quote.price - $0 }
      let percent = quote.changePercent ?? quote.previousClose.flatMap { $0 == 0 ? nil : (quote.price - $0) / $0 * 100 }
      let direction = (change ?? 0) > 0 ? 1 : ((change ?? 0) < 0 ? -1 : 0)
      let stale = row.isStale(at: time, timeToLive: view.quoteTimeToLive)
      return Row(
        symbol: symbol.text, price: Format.price(quote.price), change: change.map { Format.change($0, price: quote.price) },
        percent: percent.map(Format.percent) ?? "–", direction: direction, history: row.history,
        source: quote.source.name, age: Format.age(row.age(at: time)), isStale: stale, isDelayed: quote.isDelayed,
        highlight: stale ? 0 : row.highlight(at: time))
    }
  }

  static func fitColumns(_ rows: [Row], width: Int) -> Columns {
    func widest(_ texts: [String?], minimum: Int) -> Int {
      texts.reduce(minimum) { max($0, $1.map { DisplayWidth.of($0) } ?? 0) }
    }
    var columns = Columns(
      symbol: widest(rows.map(\.symbol), minimum: 4), price: widest(rows.map(\.price), minimum: 4) + 1, change: nil,
      percent: widest(rows.map(\.percent), minimum: 6), sparkline: nil, source: widest(rows.map(\.source), minimum: 5),
      age: widest(rows.map(\.age), minimum: 3))
    func total(_ columns: Columns) -> Int {
      columns.symbol + 1 + columns.price + 1 + columns.percent + 1 + columns.source + 1 + columns.age
        + (columns.change.map { $0 + 1 } ?? 0) + (columns.sparkline.map { $0 + 1 } ?? 0)
    }
    if total(columns) > width { columns.source = max(5, columns.source - (total(columns) - width)) }
    if total(columns) + sparklineWidth + 1 <= width { columns.sparkline = sparklineWidth }
    let change = widest(rows.map(\.change), minimum: 4)
    if total(columns) + change + 1 <= width { columns.change = change }
    if let sparkline = columns.sparkline {
      columns.sparkline = min(QuoteRow.sparklineCapacity, sparkline + max(0, width - total(columns)))
    }
    return columns
  }

  static func draw(_ row: Row, columns: Columns, selected: Bool, in line: Rect, into buffer: inout ScreenBuffer) {
    let stale = row.isStale
    var column = line.column
    func put(_ text: String, width: Int, alignment: TextAlignment = .left, role: Role) {
      buffer.write(text.padded(toWidth: width, alignment: alignment), row: line.row, column: column, role: role, clip: line)
      column += width + 1
    }
    put(row.symbol, width: columns.symbol, role: selected ? .selected : (stale ? .stale : .normal))
    guard let price = row.price else {
      buffer.write("waiting for the first quote", row: line.row, column: column, role: .dim, clip: line)
      return
    }
    let valueRole: Role = stale ? .stale : (row.direction > 0 ? .priceUp : (row.direction < 0 ? .priceDown : .priceFlat))
    let priceRole: Role = stale ? .stale : (row.highlight > 0 ? .tickUp : (row.highlight < 0 ? .tickDown : .normal))
    buffer.write(
      stale ? String(staleMarker) : (row.isDelayed ? String(delayedMarker) : " "), row: line.row, column: column,
      role: .stale, clip: line)
    column += 1
    put(price, width: columns.price - 1, alignment: .right, role: priceRole)
    if let width = columns.change { put(row.change ?? "–", width: width, alignment: .right, role: valueRole) }
    put(row.percent ?? "–", width: columns.percent, alignment: .right, role: valueRole)
    // Sparkline, source and age hug the right edge so they line up down the pane.
    let tail = columns.source + 1 + columns.age + (columns.sparkline.map { $0 + 1 } ?? 0)
    column = max(column, line.right - tail)
    if let width = columns.sparkline {
      put(Sparkline.text(row.history, width: width), width: width, alignment: .right, role: stale ? .stale : .sparkline)
    }
    put(row.source ?? "", width: columns.source, role: stale ? .stale : .source)
    put(row.age ?? "", width: columns.age, alignment: .right, role: stale ? .stale : .dim)
  }
}

/// Recent prices as block characters, scaled between their own low and high.
enum Sparkline {
  static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  static func text(_ values: [Double], width: Int) -> String {
    let points = values.suffix(width)
    guard let low = points.min(), let high = points.max() else { return "" }
    let span = high - low
    return String(
      points.map { value -> Character in
        guard span > 0 else { return levels[3] }
        let level = Int(((value - low) / span * Double(levels.count - 1)).rounded())
        return levels[min(max(0, level), levels.count - 1)]
      })
  }
}
