/// Small drawing helpers the panes share: title rules, boxes and fitted table columns.
extension ScreenBuffer {
  /// A pane's title line: `── Title ──────── right ─`, the title in `titleRole`.
  mutating func drawTitleRule(_ title: String, in rect: Rect, focused: Bool, right: String? = nil, rightRole: Role = .border) {
    guard !rect.isEmpty else { return }
    fill(rect.rows(from: 0, count: 1), character: "─", role: .border)
    let label = " " + title + " "
    let rightText = right.map { " " + $0 + " " }
    let rightWidth = rightText.map { DisplayWidth.of($0) } ?? 0
    let titleSpace = max(0, rect.width - 2 - (rightWidth > 0 ? rightWidth + 1 : 0))
    write(
      label.truncated(toWidth: titleSpace), row: rect.row, column: rect.column + 1, role: focused ? .focusedTitle : .title,
      clip: rect)
    if let rightText, rightWidth + 4 <= rect.width {
      write(rightText, row: rect.row, column: rect.right - 1 - rightWidth, role: rightRole, clip: rect)
    }
  }

  /// A boxed window with a title, its inside blanked in `role`; returns the inner rectangle.
  @discardableResult
  mutating func drawBox(_ rect: Rect, title: String, role: Role = .overlay, titleRole: Role = .overlayTitle) -> Rect {
    guard rect.width >= 4, rect.height >= 2 else { return Rect(row: rect.row, column: rect.column, width: 0, height: 0) }
    fill(rect, role: role)
    let top = rect.row
    let bottom = rect.bottom - 1
    for column in rect.column..<rect.right {
      write("─", row: top, column: column, role: .border, clip: rect)
      write("─", row: bottom, column: column, role: .border, clip: rect)
    }
    for row in top..<rect.bottom {
      write("│", row: row, column: rect.column, role: .border, clip: rect)
      write("│", row: row, column: rect.right - 1, role: .border, clip: rect)
    }
    write("┌", row: top, column: rect.column, role: .border, clip: rect)
    write("┐", row: top, column: rect.right - 1, role: .border, clip: rect)
    write("└", row: bottom, column: rect.column, role: .border, clip: rect)
    write("┘", row: bottom, column: rect.right - 1, role: .border, clip: rect)
    write((" " + title + " ").truncated(toWidth: rect.width - 4), row: top, column: rect.column + 2, role: titleRole, clip: rect)
    return Rect(row: rect.row + 1, column: rect.column + 2, width: rect.width - 4, height: rect.height - 2)
  }
}

/// A table column: its header, width, alignment and how important it is to keep.
struct TableColumn {
  var header: String
  var width: Int
  var alignment: TextAlignment = .left
  /// Lower keeps longer: columns are dropped from the highest priority number down.
  var priority: Int
  /// Takes whatever width is left over (at most one per table).
  var flexible = false

  /// The columns that fit in `width` with one-column gaps, in their original order.
  static func fit(_ columns: [TableColumn], width: Int) -> [TableColumn] {
    var kept = columns
    func total(_ columns: [TableColumn]) -> Int {
      columns.reduce(0) { $0 + $1.width } + max(0, columns.count - 1)
    }
    while total(kept) > width, kept.count > 1,
      let drop = kept.indices.max(by: { kept[$0].priority < kept[$1].priority })
    {
      kept.remove(at: drop)
    }
    let slack = width - total(kept)
    if slack > 0, let flexible = kept.firstIndex(where: \.flexible) { kept[flexible].width += slack }
    return kept
  }

  /// Left edges of each column starting at `column`.
  static func offsets(_ columns: [TableColumn], from column: Int) -> [Int] {
    var offsets: [Int] = []
    var position = column
    for item in columns {
      offsets.append(position)
      position += item.width + 1
    }
    return offsets
  }
}
