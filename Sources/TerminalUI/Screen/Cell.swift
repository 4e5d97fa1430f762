/// One character cell of the screen: a plain value (no reference counting), so filling,
/// comparing and diffing whole screens stays cheap.
///
/// A wide character (吕) occupies its cell with `width` 2 and the cell to its right becomes a
/// continuation (`width` 0) that draws nothing of its own. Zero-width scalars (combining
/// marks) are not stored: text is written precomposed.
public struct Cell: Hashable, Sendable {
  public var scalar: Unicode.Scalar
  public var role: Role
  /// Columns the character takes: 1, 2 for wide characters, 0 for a continuation cell.
  public var width: UInt8

  public init(_ scalar: Unicode.Scalar = " ", role: Role = .normal, width: UInt8 = 1) {
    self.scalar = scalar
    self.role = role
    self.width = width
  }

  public static let blank = Cell()

  public var isContinuation: Bool { width == 0 }
}
