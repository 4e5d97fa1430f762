/// How many terminal columns text takes: CJK ideographs and other East Asian wide characters
/// take two, combining marks none, everything else printable one.
///
/// The table follows the C library's `wcwidth` on this platform (glibc 2.36, Unicode 15), which
/// is what ncurses and tmux use to place characters; if the two disagreed, columns after a
/// name like 吕洞宾 would drift.
public enum DisplayWidth {
  /// Columns of one scalar: 0, 1 or 2.
  @inlinable
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x300 { return value < 0x20 || (value >= 0x7F && value < 0xA0) ? 0 : 1 }
    if value >= 0x4E00, value <= 0x9FFF { return 2 }
    // Symbols, arrows, box drawing, blocks and shapes hold no marks: skip the property lookup.
    if value >= 0x2100, value <= 0x2BFF { return isWide(value) ? 2 : 1 }
    if isZeroWidth(scalar) { return 0 }
    return isWide(value) ? 2 : 1
  }

  /// Columns of one grapheme: the width of its first scalar (combining marks add nothing).
  @inlinable
  public static func of(_ character: Character) -> Int {
    guard let first = character.unicodeScalars.first else { return 0 }
    return of(first)
  }

  /// Columns of a whole string.
  public static func of(_ text: some StringProtocol) -> Int {
    var total = 0
    for scalar in text.unicodeScalars { total += of(scalar) }
    return total
  }

  /// Combining and enclosing marks, format characters and medial Hangul jamo draw nothing
  /// of their own.
  @usableFromInline
  static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) || value == 0x1171E { return true }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark: return true
    case .format:
      let shown: Set<UInt32> = [0x00AD, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD]
      return !shown.contains(value) && !(0x0600...0x0605).contains(value)
    default: return false
    }
  }

  @usableFromInline
  static func isWide(_ value: UInt32) -> Bool {
    switch value {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
      0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
      0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
      0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
      0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
      0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DFF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
      0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x18D00...0x18D08, 0x1AFF0...0x1AFFE,
      0x17000...0x18CFF, 0x1B000...0x1B2FF,
      0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F260...0x1F265, 0x1F6DD...0x1F6DF, 0x1F7F0,
      0x1F300...0x1F320,
      0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3,
      0x1F3E0...0x1F3F0, 0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D,
      0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A, 0x1F595...0x1F596, 0x1F5A4, 0x1F5FB...0x1F64F,
      0x1F680...0x1F6C5, 0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC,
      0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF,
      0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
      return true
    default:
      return false
    }
  }
}

extension String {
  /// Cuts the text to at most `width` columns, ending in `…` when anything was cut; a wide
  /// character that would straddle the edge is dropped rather than split.
  public func truncated(toWidth width: Int) -> String {
    guard width > 0 else { return "" }
    if DisplayWidth.of(self) <= width { return self }
    var result = ""
    var used = 0
    for character in self {
      let columns = DisplayWidth.of(character)
      if used + columns > width - 1 { break }
      result.append(character)
      used += columns
    }
    return result + "…"
  }

  /// Pads with spaces to exactly `width` columns (truncating first when longer).
  public func padded(toWidth width: Int, alignment: TextAlignment = .left) -> String {
    let text = truncated(toWidth: width)
    let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(text)))
    switch alignment {
    case .left: return text + padding
    case .right: return padding + text
    }
  }
}

extension String {
  /// Breaks the text into lines of at most `width` columns at spaces; a word longer than a
  /// line is cut.
  public func wrapped(toWidth width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var current = ""
    for word in split(separator: " ", omittingEmptySubsequences: true) {
      let candidate = current.isEmpty ? String(word) : current + " " + word
      if DisplayWidth.of(candidate) <= width {
        current = candidate
      } else {
        if !current.isEmpty { lines.append(current) }
        current = String(word).truncated(toWidth: width)
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}

public enum TextAlignment: Sendable, Hashable {
  case left, right
}
