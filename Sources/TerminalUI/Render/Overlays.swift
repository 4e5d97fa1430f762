import MarketCore

/// The `?` overlay: every binding of the keymap table, grouped by scope.
enum HelpOverlay {
  /// The overlay's lines: headings, then `key  help` rows.
  static let lines: [(key: String, text: String, isHeading: Bool)] = {
    var lines: [(String, String, Bool)] = []
    for scope in KeyScope.allCases {
      let bindings = Keymap.bindings.filter { $0.scope == scope }
      guard !bindings.isEmpty else { continue }
      if !lines.isEmpty { lines.append(("", "", false)) }
      lines.append(("", scope.title, true))
      for binding in bindings { lines.append((binding.keyLabel, binding.help, false)) }
    }
    lines.append(("", "", false))
    lines.append(("", "Prices marked ~ and dimmed are stale, d delayed; every price shows its source and age.", false))
    return lines
  }()

  static var lineCount: Int { lines.count }

  static func render(_ state: DashboardState, into buffer: inout ScreenBuffer) {
    let keyWidth = lines.map { DisplayWidth.of($0.key) }.max() ?? 8
    let textWidth = lines.map { DisplayWidth.of($0.text) }.max() ?? 40
    let wanted = keyWidth + 2 + textWidth + 4
    let box = buffer.bounds.rows(from: 1, count: state.size.height - 2).centred(
      width: min(wanted, state.size.width - 2), height: min(lines.count + 2, state.size.height - 2))
    let inner = buffer.drawBox(box, title: "Keys (any key closes)")
    let scroll = min(state.helpScroll, max(0, lines.count - inner.height))
    for (index, line) in lines.dropFirst(scroll).prefix(inner.height).enumerated() {
      let row = inner.row + index
      if line.isHeading {
        buffer.write(line.text, row: row, column: inner.column, role: .overlayTitle, clip: inner)
      } else {
        buffer.write(line.key, row: row, column: inner.column, role: .footerKey, clip: inner)
        buffer.write(line.text, row: row, column: inner.column + keyWidth + 2, role: .overlay, clip: inner)
      }
    }
    if scroll + inner.height < lines.count {
      buffer.write(" ↓ j for more ", row: box.bottom - 1, column: box.right - 16, role: .overlayTitle, clip: box)
    }
  }
}

/// The watchlist editor: every entry with its active flag, adding with validation, removal.
enum WatchlistEditorOverlay {
  static func render(_ editor: WatchlistEditor, state: DashboardState, into buffer: inout ScreenBuffer) {
    let person = Immortal.named(editor.immortal)
    let list = state.market.watchlist(editor.immortal)
    let entries = list.entries
    let reserved = 5
    let box = buffer.bounds.rows(from: 1, count: state.size.height - 2).centred(
      width: min(64, state.size.width - 2), height: min(max(entries.count, 1) + reserved + 2, state.size.height - 2))
    let title = "\(person.chineseName) \(person.pinyin) · watchlist, \(list.activeSymbols.count) of \(entries.count) active"
    let inner = buffer.drawBox(box, title: title)
    guard inner.height > 0 else { return }
    let listHeight = max(1, inner.height - reserved)
    let first = min(max(0, editor.selection - listHeight + 1), max(0, entries.count - listHeight))
    if entries.isEmpty {
      buffer.write("empty: a adds a symbol", row: inner.row, column: inner.column, role: .dim, clip: inner)
    }
    for (offset, entry) in entries.dropFirst(first).prefix(listHeight).enumerated() {
      let index = first + offset
      let row = inner.row + offset
      let selected = index == editor.selection
      var text = (selected ? "▸ " : "  ") + (entry.isActive ? "[x] " : "[ ] ") + entry.symbol.text.padded(toWidth: 10)
      if let quote = state.market.quotes[entry.symbol] {
        text += Format.price(quote.quote.price).padded(toWidth: 11, alignment: .right) + "  " + quote.quote.source.name
      } else {
        text += entry.isActive ? "  waiting for the first quote" : "  inactive"
      }
      buffer.write(
        text.padded(toWidth: inner.width), row: row, column: inner.column,
        role: selected ? .selected : (entry.isActive ? .overlay : .dim), clip: inner)
    }
    var row = inner.row + listHeight + 1
    if let input = editor.input {
      let prompt = "add symbol: "
      buffer.write(prompt, row: row, column: inner.column, role: .overlayTitle, clip: inner)
      let field = (input + " ").padded(toWidth: min(Symbol.maximumLength + 2, inner.width - DisplayWidth.of(prompt)))
      buffer.write(field, row: row, column: inner.column + DisplayWidth.of(prompt), role: .input, clip: inner)
      buffer.cursor = ScreenBuffer.Cursor(row: row, column: inner.column + DisplayWidth.of(prompt) + DisplayWidth.of(input))
    }
    row += 1
    if let message = editor.message {
      for (offset, line) in message.text.wrapped(toWidth: inner.width).prefix(2).enumerated() {
        buffer.write(line, row: row + offset, column: inner.column, role: message.isError ? .error : .ok, clip: inner)
      }
    }
    row += 2
    var column = inner.column
    for binding in Keymap.hints(for: state.activeScopes) {
      guard let hint = binding.hint else { continue }
      let width = DisplayWidth.of(binding.keyLabel) + 1 + DisplayWidth.of(hint)
      guard column + width <= inner.right else { break }
      buffer.write(binding.keyLabel, row: row, column: column, role: .footerKey, clip: inner)
      buffer.write(hint, row: row, column: column + DisplayWidth.of(binding.keyLabel) + 1, role: .overlay, clip: inner)
      column += width + 2
    }
  }
}

/// Asks before the cache is cleared.
enum ConfirmationOverlay {
  static func render(_ state: DashboardState, into buffer: inout ScreenBuffer) {
    let entries = state.market.cacheTiers.first?.entries ?? 0
    let lines = [
      "Clear the whole cache? \(Format.count(entries)) entries will be dropped",
      "and fetched again from the providers.",
      "",
      "y clears · n or any other key cancels",
    ]
    let width = (lines.map { DisplayWidth.of($0) }.max() ?? 40) + 4
    let box = buffer.bounds.centred(width: min(width, state.size.width - 2), height: min(lines.count + 2, state.size.height))
    let inner = buffer.drawBox(box, title: "Clear cache", titleRole: .warning)
    for (index, line) in lines.enumerated() where index < inner.height {
      buffer.write(
        line, row: inner.row + index, column: inner.column, role: index == lines.count - 1 ? .footerKey : .overlay, clip: inner)
    }
  }
}
