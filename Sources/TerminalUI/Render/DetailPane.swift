import Foundation
import MarketCore

/// The detail view of one symbol: a title with the profile's name and sector, the last price
/// and the window's change, high and low, where the series and profile came from and how old
/// they are, then the chart. On wide screens a side panel holds the rest of the profile.
enum DetailPane {
  /// Side panel width, and the screen width from which it is drawn.
  static let sidePanelWidth = 44
  static let sidePanelFromWidth = 140

  static func render(_ detail: DetailView, state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    guard rect.height >= 4 else { return }
    let profile = detail.profile.value?.value
    var title = detail.symbol.text
    if let name = profile?.name { title += " · " + name }
    if let sector = profile?.sector { title += " · " + sector }
    let window = "\(detail.range) window · \(detail.interval) bars"
    buffer.drawTitleRule(title, in: rect.rows(from: 0, count: 1), focused: true, right: window, rightRole: .label)
    drawPriceLine(detail, state: state, in: rect.rows(from: 1, count: 1), into: &buffer)
    drawSourceLine(detail, state: state, in: rect.rows(from: 2, count: 1), into: &buffer)

    var chartArea = rect.rows(from: 3)
    if rect.width >= sidePanelFromWidth {
      let parts = chartArea.columns([rect.width - sidePanelWidth - 2, sidePanelWidth], gap: 2)
      chartArea = parts[0]
      drawSidePanel(detail, state: state, in: parts[1], into: &buffer)
    }
    switch detail.series {
    case .loading:
      let text = "loading \(detail.symbol): \(detail.range) of \(detail.interval) bars…"
      centred([(text, .dim)], in: chartArea, into: &buffer)
    case .failed(let error):
      var lines: [(String, Role)] = [("✗ history unavailable: \(error.errorClass)", .error)]
      lines += error.reason.wrapped(toWidth: max(10, chartArea.width - 4)).prefix(6).map { ($0, .error) }
      lines.append(("r retries · ←/→ another window · Esc back", .dim))
      centred(lines, in: chartArea, into: &buffer)
    case .loaded(let served):
      if served.value.bars.isEmpty {
        centred(
          [
            ("no \(detail.interval) bars in the \(detail.range) window", .dim),
            ("←/→ another window · i/I another interval", .dim),
          ],
          in: chartArea, into: &buffer)
      } else {
        PriceChart.render(served.value, utcOffset: state.utcOffset, in: chartArea, into: &buffer)
      }
    }
  }

  /// `last 189.23 sim-alpha 3s · +12.34 +6.98% over 3mo · high 195.00 · low 170.12`
  static func drawPriceLine(_ detail: DetailView, state: DashboardState, in line: Rect, into buffer: inout ScreenBuffer) {
    var items: [(String, Role)] = []
    let time = state.dataTime
    if let row = state.shown.quotes[detail.symbol] {
      let stale = row.isStale(at: time, timeToLive: state.shown.quoteTimeToLive)
      items.append(("last", .label))
      items.append(((stale ? "~" : "") + Format.price(row.quote.price), stale ? .stale : .normal))
      items.append(("\(row.quote.source) \(Format.age(row.age(at: time)))" + (row.quote.isSimulated ? " SIM" : ""), .source))
    } else if let served = detail.series.value, let last = served.value.bars.last {
      items.append(("last close", .label))
      items.append(((served.isStale ? "~" : "") + Format.price(last.close), served.isStale ? .stale : .normal))
      items.append(("\(served.value.source) \(Format.age(served.age.seconds))", .source))
    } else {
      items.append(("no price yet", .dim))
    }
    if let summary = detail.series.value?.value.summary {
      let role: Role = summary.change > 0 ? .priceUp : (summary.change < 0 ? .priceDown : .priceFlat)
      items.append(("·", .dim))
      items.append((Format.change(summary.change, price: summary.last.close), role))
      items.append((Format.percent(summary.changePercent), role))
      items.append(("over \(detail.range)", .label))
      items.append(("·", .dim))
      items.append(("high", .label))
      items.append((Format.price(summary.high), .normal))
      items.append(("low", .label))
      items.append((Format.price(summary.low), .normal))
    }
    draw(items, in: line, into: &buffer)
  }

  /// `history sim-alpha, stooq 2m · 63 bars · 2 gaps ┊ · SIM · stale · profile fmp 3h`
  static func drawSourceLine(_ detail: DetailView, state: DashboardState, in line: Rect, into buffer: inout ScreenBuffer) {
    var items: [(String, Role)] = [("history", .label)]
    switch detail.series {
    case .loading:
      items.append(("loading…", .dim))
    case .failed(let error):
      items.append(("✗ \(error.errorClass)", .error))
    case .loaded(let served):
      let series = served.value
      let sources = series.sources.isEmpty ? "none" : series.sources.map(\.name).joined(separator: ", ")
      items.append(("\(sources) \(Format.age(served.age.seconds))", .source))
      items.append(("· \(series.bars.count) bars", .label))
      if !series.gaps.isEmpty { items.append(("· \(series.gaps.count) gap\(series.gaps.count == 1 ? "" : "s") ┊", .warning)) }
      if series.isSimulated { items.append(("SIM", .badgeSimulated)) }
      if served.isStale { items.append(("STALE", .badgeStale)) }
    }
    items.append(("· profile", .label))
    switch detail.profile {
    case .loading:
      items.append(("loading…", .dim))
    case .failed(let error):
      items.append(("✗ \(error.errorClass)", .error))
    case .loaded(let served):
      items.append(("\(served.value.source) \(Format.age(served.age.seconds))", .source))
      if served.value.isSimulated { items.append(("SIM", .badgeSimulated)) }
      if served.isStale { items.append(("STALE", .badgeStale)) }
    }
    draw(items, in: line, into: &buffer)
  }

  /// Everything else the profile says, and the profile's failure in full.
  static func drawSidePanel(_ detail: DetailView, state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    buffer.drawTitleRule("Profile", in: rect.rows(from: 0, count: 1), focused: false)
    var lines: [(String, String, Role)] = []
    switch detail.profile {
    case .loading:
      lines.append(("", "loading…", .dim))
    case .failed(let error):
      lines.append(("", "✗ \(error.errorClass)", .error))
      for text in error.reason.wrapped(toWidth: rect.width) { lines.append(("", text, .error)) }
    case .loaded(let served):
      let profile = served.value
      let fields: [(String, String?)] = [
        ("name", profile.name), ("exchange", profile.exchange), ("currency", profile.currency), ("sector", profile.sector),
        ("industry", profile.industry), ("country", profile.country),
        ("market cap", profile.marketCap.map { Format.money($0) }),
        ("shares", profile.sharesOutstanding.map { Format.count(Int(min($0, 9e15))) }), ("website", profile.website),
        ("source", "\(profile.source) · \(Format.age(served.age.seconds)) old" + (profile.isSimulated ? " · SIM" : "")),
      ]
      for (label, value) in fields { if let value { lines.append((label, value, .normal)) } }
      if let description = profile.description {
        lines.append(("", "", .normal))
        for text in description.wrapped(toWidth: rect.width) { lines.append(("", text, .dim)) }
      }
    }
    if let series = detail.series.value?.value {
      lines.append(("", "", .normal))
      lines.append(("", "History", .title))
      lines.append(("from", Format.day(series.from) + " to " + Format.day(series.to - 1), .normal))
      if let currency = series.currency { lines.append(("currency", currency, .normal)) }
      for (index, source) in series.sources.enumerated() {
        lines.append((index == 0 ? "sources" : "", source.name + (index == 0 ? " (newest blocks)" : ""), .source))
      }
      for gap in series.gaps.prefix(8) {
        let daily = !series.interval.isIntraday
        lines.append(
          ("gap ┊", Format.barTime(gap.after, daily: daily) + " → " + Format.barTime(gap.before, daily: daily), .warning))
      }
      if series.gaps.count > 8 { lines.append(("", "+\(series.gaps.count - 8) more gaps", .warning)) }
    }
    let labelWidth = 11
    for (index, line) in lines.enumerated() {
      let row = rect.row + 1 + index
      guard row < rect.bottom else { break }
      if line.0.isEmpty {
        buffer.write(line.1, row: row, column: rect.column, role: line.2, clip: rect)
      } else {
        buffer.write(line.0, row: row, column: rect.column, role: .label, clip: rect)
        buffer.write(line.1, row: row, column: rect.column + labelWidth, role: line.2, clip: rect)
      }
    }
  }

  /// Items separated by single spaces; what does not fit is left off.
  static func draw(_ items: [(String, Role)], in line: Rect, into buffer: inout ScreenBuffer) {
    var column = line.column
    for (text, role) in items {
      let width = DisplayWidth.of(text)
      guard column + width <= line.right else { break }
      buffer.write(text, row: line.row, column: column, role: role, clip: line)
      column += width + 1
    }
  }

  static func centred(_ lines: [(String, Role)], in rect: Rect, into buffer: inout ScreenBuffer) {
    let top = rect.row + max(0, (rect.height - lines.count) / 2)
    for (offset, (text, role)) in lines.enumerated() {
      let fitted = text.truncated(toWidth: rect.width)
      let column = rect.column + max(0, (rect.width - DisplayWidth.of(fitted)) / 2)
      buffer.write(fitted, row: top + offset, column: column, role: role, clip: rect)
    }
  }
}
