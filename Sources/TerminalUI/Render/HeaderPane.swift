/// The top line: product, clock, providers up, cache hit ratio, quotes per second, and the
/// badges that must never be missed (SIMULATED, PAUSED, stale values, connection).
enum HeaderPane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    let view = state.shown
    var badges: [(String, Role)] = []
    if let badge = state.connection.badge { badges.append((badge, .badgeWarning)) }
    let stale = state.staleCount
    if stale > 0 { badges.append(("~ \(stale) STALE", .badgeStale)) }
    if state.isPaused { badges.append(("PAUSED", .badgePaused)) }
    if state.showsSimulatedData { badges.append(("SIMULATED", .badgeSimulated)) }

    var right = rect.right
    for (text, role) in badges.reversed() {
      let label = " " + text + " "
      let width = DisplayWidth.of(label)
      guard right - width >= rect.column else { break }
      right -= width
      buffer.write(label, row: rect.row, column: right, role: role)
      right -= 1
    }

    let up = view.providers.filter(\.isUp).count
    let hit = view.cacheTiers.first?.hitRatio
    var items: [(String, Role)] = [
      ("炼妖壶 Lianyaohu", .header),
      (Format.clock(state.now, utcOffset: state.utcOffset), .normal),
      ("providers \(up)/\(view.providers.count) up", up == view.providers.count ? .label : .warning),
      ("cache hit \(Format.ratio(hit))", .label),
      ("\(Format.rate(view.quoteRate.perSecond(at: state.dataTime))) quotes/s", .label),
    ]
    if state.sortOrder != .watchlist { items.append(("sort: \(state.sortOrder.label)", .label)) }
    var column = rect.column
    for (index, (text, role)) in items.enumerated() {
      let width = DisplayWidth.of(text)
      let separator = index == 0 ? 0 : 2
      guard column + separator + width <= right - 1 else { break }
      column += separator
      buffer.write(text, row: rect.row, column: column, role: role)
      column += width
    }
  }
}

/// The bottom line: a footer message when there is one, then key hints from the keymap.
enum FooterPane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    var column = rect.column
    if let message = state.message {
      column += buffer.write(
        message.text.truncated(toWidth: rect.width), row: rect.row, column: column, role: message.isError ? .error : .ok,
        clip: rect)
      column += 3
    }
    for binding in Keymap.hints(for: state.activeScopes) {
      guard let hint = binding.hint else { continue }
      let key = binding.keyLabel
      let width = DisplayWidth.of(key) + 1 + DisplayWidth.of(hint)
      guard column + width <= rect.right else { break }
      buffer.write(key, row: rect.row, column: column, role: .footerKey)
      buffer.write(hint, row: rect.row, column: column + DisplayWidth.of(key) + 1, role: .footer)
      column += width + 2
    }
  }
}
