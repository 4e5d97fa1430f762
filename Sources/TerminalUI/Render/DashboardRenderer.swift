/// Draws the whole dashboard for a state: a pure function of the state, cells in, no I/O.
public func render(_ state: DashboardState, into buffer: inout ScreenBuffer) {
  buffer.fill(buffer.bounds)
  buffer.cursor = nil
  let layout = DashboardLayout(state: state)
  if layout.isTooSmall {
    TooSmallScreen.render(state, into: &buffer)
    return
  }
  HeaderPane.render(state, in: layout.header, into: &buffer)
  if let detail = state.detail {
    let body = Rect(
      row: layout.header.bottom, column: 0, width: state.size.width, height: layout.footer.row - layout.header.bottom)
    DetailPane.render(detail, state: state, in: body, into: &buffer)
    FooterPane.render(state, in: layout.footer, into: &buffer)
    if state.overlay == .help { HelpOverlay.render(state, into: &buffer) }
    return
  }
  for (immortal, rect) in layout.immortals {
    ImmortalPane.render(immortal, state: state, layout: layout, in: rect, into: &buffer)
  }
  ProvidersPane.render(state, in: layout.providers, into: &buffer)
  BreakersPane.render(state, in: layout.breakers, into: &buffer)
  CachePane.render(state, in: layout.cache, into: &buffer)
  EventsPane.render(state, in: layout.events, into: &buffer)
  FooterPane.render(state, in: layout.footer, into: &buffer)
  switch state.overlay {
  case .help: HelpOverlay.render(state, into: &buffer)
  case .watchlistEditor(let editor): WatchlistEditorOverlay.render(editor, state: state, into: &buffer)
  case .confirmClearCache: ConfirmationOverlay.render(state, into: &buffer)
  case nil: break
  }
}

/// Renders a fresh buffer of the state's size.
public func render(_ state: DashboardState) -> ScreenBuffer {
  var buffer = ScreenBuffer(size: state.size)
  render(state, into: &buffer)
  return buffer
}

/// What is drawn when the terminal is below ``DashboardLayout/minimumSize``.
enum TooSmallScreen {
  static func render(_ state: DashboardState, into buffer: inout ScreenBuffer) {
    let minimum = DashboardLayout.minimumSize
    let lines = [
      ("terminal too small (need \(minimum))", Role.warning),
      ("now \(state.size)", Role.dim),
      ("q quits", Role.dim),
    ]
    let top = max(0, (state.size.height - lines.count) / 2)
    for (offset, (text, role)) in lines.enumerated() {
      let fitted = text.truncated(toWidth: state.size.width)
      let column = max(0, (state.size.width - DisplayWidth.of(fitted)) / 2)
      buffer.write(fitted, row: top + offset, column: column, role: role)
    }
  }
}
