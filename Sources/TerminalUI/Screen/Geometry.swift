/// A terminal's size in character cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
  public var width: Int
  public var height: Int

  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var description: String { "\(width)x\(height)" }

  public func fits(_ other: TerminalSize) -> Bool { width >= other.width && height >= other.height }
}

/// A rectangle of cells: `row`/`column` of its top-left corner, counted from zero.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
  public var row: Int
  public var column: Int
  public var width: Int
  public var height: Int

  public init(row: Int, column: Int, width: Int, height: Int) {
    self.row = row
    self.column = column
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public init(size: TerminalSize) {
    self.init(row: 0, column: 0, width: size.width, height: size.height)
  }

  public var description: String { "\(width)x\(height)@\(row),\(column)" }
  public var isEmpty: Bool { width == 0 || height == 0 }
  public var bottom: Int { row + height }
  public var right: Int { column + width }

  /// The rows from `offset` on, at most `count` of them.
  public func rows(from offset: Int, count: Int = .max) -> Rect {
    let start = min(height, max(0, offset))
    return Rect(row: row + start, column: column, width: width, height: min(height - start, max(0, count)))
  }

  /// Splits into side-by-side parts of the given widths (the last takes what is left),
  /// leaving `gap` columns between them.
  public func columns(_ widths: [Int], gap: Int = 1) -> [Rect] {
    var result: [Rect] = []
    var column = self.column
    for (index, requested) in widths.enumerated() {
      let isLast = index == widths.count - 1
      let width = isLast ? right - column : min(requested, max(0, right - column))
      result.append(Rect(row: row, column: column, width: width, height: height))
      column += width + gap
    }
    return result
  }

  /// A rectangle of at most `width` x `height` centred inside this one.
  public func centred(width: Int, height: Int) -> Rect {
    let width = min(width, self.width)
    let height = min(height, self.height)
    return Rect(row: row + (self.height - height) / 2, column: column + (self.width - width) / 2, width: width, height: height)
  }
}
