/// A horizontal run of cells that changed since the last frame: what the backend writes.
public struct ScreenRun: Hashable, Sendable {
  public var row: Int
  public var column: Int
  public var cells: ArraySlice<Cell>

  public init(row: Int, column: Int, cells: ArraySlice<Cell>) {
    self.row = row
    self.column = column
    self.cells = cells
  }
}

extension ScreenBuffer {
  /// Unchanged cells shorter than this between two changes are rewritten rather than
  /// skipped: moving the cursor costs about as many bytes as a few characters.
  public static let runMergeGap = 4

  /// The runs that turn `previous` into this buffer; every row when there is no previous
  /// frame or its size differs. Runs never start or end inside a wide character.
  public func changes(since previous: ScreenBuffer?) -> [ScreenRun] {
    guard let previous, previous.size == size else {
      return (0..<size.height).map { ScreenRun(row: $0, column: 0, cells: row($0)) }
    }
    var runs: [ScreenRun] = []
    let width = size.width
    cells.withUnsafeBufferPointer { new in
      previous.cells.withUnsafeBufferPointer { old in
        for row in 0..<size.height {
          let base = row * width
          var column = 0
          var runStart = -1
          var lastChanged = -1
          while column < width {
            if new[base + column] != old[base + column] {
              if runStart < 0 {
                runStart = column
              } else if column - lastChanged > Self.runMergeGap {
                runs.append(run(row: row, from: runStart, through: lastChanged))
                runStart = column
              }
              lastChanged = column
            }
            column += 1
          }
          if runStart >= 0 { runs.append(run(row: row, from: runStart, through: lastChanged)) }
        }
      }
    }
    return runs
  }

  private func run(row: Int, from start: Int, through end: Int) -> ScreenRun {
    var start = start
    var end = end
    let base = row * size.width
    if start > 0, cells[base + start].isContinuation { start -= 1 }
    if end + 1 < size.width, cells[base + end].width == 2 { end += 1 }
    return ScreenRun(row: row, column: start, cells: cells[(base + start)...(base + end)])
  }
}
