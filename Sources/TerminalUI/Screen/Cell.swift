/// One character cell of the screen.
///
/// A wide character (吕) occupies its cell with `width` 2 and the cell to its right becomes a
/// continuation (`width` 0) that draws nothing of its own.
public struct Cell: Hashable, Sendable {
  public var character: Character
  public var role: Role
  /// Columns the character takes: 1, 2 for wide characters, 0 for a continuation cell.
  public var width: UInt8

  public init(_ character: Character = " ", role: Role = .normal, width: UInt8 = 1) {
    self.character = character
    self.role = role
    self.width = width
  }

  public static let blank = Cell()

  public var isContinuation: Bool { width == 0 }
}
