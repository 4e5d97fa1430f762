/// The whole screen as cells: what panes render into and what the terminal backend draws.
///
/// Writing is display-width aware: a wide character takes two cells, text is clipped at the
/// edge of the area it is written into, and overwriting half of a wide character blanks the
/// other half so a stale half can never remain on screen.
public struct ScreenBuffer: Hashable, Sendable {
  /// Where the terminal's cursor should be left (a text field), or nil to hide it.
  public struct Cursor: Hashable, Sendable {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
      self.row = row
      self.column = column
    }
  }

  public let size: TerminalSize
  public private(set) var cells: [Cell]
  public var cursor: Cursor?

  public init(size: TerminalSize) {
    self.size = size
    self.cells = Array(repeating: .blank, count: size.width * size.height)
  }

  public var bounds: Rect { Rect(size: size) }

  public subscript(row: Int, column: Int) -> Cell {
    guard row >= 0, row < size.height, column >= 0, column < size.width else { return .blank }
    return cells[row * size.width + column]
  }

  /// Every cell of one row, for the backend and for tests.
  public func row(_ row: Int) -> ArraySlice<Cell> {
    guard row >= 0, row < size.height else { return [] }
    return cells[(row * size.width)..<((row + 1) * size.width)]
  }

  // MARK: Writing

  /// Fills a rectangle with one character in one role (blank by default).
  public mutating func fill(_ rect: Rect, character: Unicode.Scalar = " ", role: Role = .normal) {
    let area = clipped(rect)
    guard !area.isEmpty else { return }
    let cell = Cell(character, role: role)
    if area == bounds {
      cells.withUnsafeMutableBufferPointer { $0.update(repeating: cell) }
      return
    }
    for row in area.row..<area.bottom {
      put(cell, row: row, column: area.column)
      if area.right - 1 > area.column { put(cell, row: row, column: area.right - 1) }
      let base = row * size.width
      for column in (area.column + 1)..<max(area.column + 1, area.right - 1) { cells[base + column] = cell }
    }
  }

  /// Writes text starting at a cell, clipped to `clip` (the whole screen by default); returns
  /// the number of columns written.
  @discardableResult
  public mutating func write(_ text: some StringProtocol, row: Int, column: Int, role: Role = .normal, clip: Rect? = nil) -> Int {
    let area = clipped(clip ?? bounds)
    guard row >= area.row, row < area.bottom else { return 0 }
    var position = column
    for scalar in text.unicodeScalars {
      let width = DisplayWidth.of(scalar)
      if width == 0 { continue }
      if position + width > area.right { break }
      if position >= area.column {
        put(Cell(scalar, role: role, width: UInt8(width)), row: row, column: position)
        if width == 2 { put(Cell(" ", role: role, width: 0), row: row, column: position + 1) }
      }
      position += width
    }
    return max(0, position - column)
  }

  /// Writes text inside `rect`'s first row, padded or cut to its width.
  public mutating func write(
    _ text: String, in rect: Rect, role: Role = .normal, alignment: TextAlignment = .left
  ) {
    guard !rect.isEmpty else { return }
    write(text.padded(toWidth: rect.width, alignment: alignment), row: rect.row, column: rect.column, role: role, clip: rect)
  }

  /// Changes the role of cells without touching their characters (selection, highlights).
  public mutating func setRole(_ role: Role, in rect: Rect) {
    let area = clipped(rect)
    guard !area.isEmpty else { return }
    for row in area.row..<area.bottom {
      for column in area.column..<area.right { cells[row * size.width + column].role = role }
    }
  }

  private func clipped(_ rect: Rect) -> Rect {
    let row = max(0, rect.row)
    let column = max(0, rect.column)
    return Rect(
      row: row, column: column, width: min(rect.right, size.width) - column, height: min(rect.bottom, size.height) - row)
  }

  /// Stores one cell, blanking the orphaned half of any wide character it overlaps.
  private mutating func put(_ cell: Cell, row: Int, column: Int) {
    guard row >= 0, row < size.height, column >= 0, column < size.width else { return }
    let index = row * size.width + column
    let old = cells[index]
    if old.isContinuation, column > 0, cells[index - 1].width == 2, !(cell.isContinuation) {
      cells[index - 1] = Cell(" ", role: cells[index - 1].role)
    }
    if old.width == 2, cell.width != 2, column + 1 < size.width {
      cells[index + 1] = Cell(" ", role: cells[index + 1].role)
    }
    if cell.width == 2, column + 1 >= size.width {
      cells[index] = Cell(" ", role: cell.role)
      return
    }
    cells[index] = cell
  }

  // MARK: Reading

  /// The screen as plain text, one string per row, wide characters once each.
  public func lines(trimmingTrailingSpaces: Bool = false) -> [String] {
    (0..<size.height).map { row in
      var scalars = String.UnicodeScalarView()
      for cell in self.row(row) where !cell.isContinuation { scalars.append(cell.scalar) }
      var line = String(scalars)
      if trimmingTrailingSpaces {
        while line.last == " " { line.removeLast() }
      }
      return line
    }
  }

  /// Plain text of the whole screen, rows separated by newlines.
  public func text(trimmingTrailingSpaces: Bool = false) -> String {
    lines(trimmingTrailingSpaces: trimmingTrailingSpaces).joined(separator: "\n")
  }

  /// The first position where `text` appears on screen, as (row, column) in cells.
  public func find(_ text: String) -> (row: Int, column: Int)? {
    for row in 0..<size.height {
      var scalars = String.UnicodeScalarView()
      var columns: [Int] = []
      for (offset, cell) in self.row(row).enumerated() where !cell.isContinuation {
        scalars.append(cell.scalar)
        columns.append(offset)
      }
      let line = String(scalars)
      if let range = line.range(of: text) {
        let characterOffset = line.unicodeScalars.distance(from: line.startIndex, to: range.lowerBound)
        return (row, columns[characterOffset])
      }
    }
    return nil
  }
}
