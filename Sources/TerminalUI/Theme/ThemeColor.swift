/// A colour as a theme file names it: the terminal's default, one of the eight basic
/// colours (and their bright variants), an xterm 256-colour index, or 24-bit RGB.
///
/// The backend picks what the terminal can show: RGB becomes the nearest 256-colour entry,
/// and on an 8-colour terminal everything becomes the nearest basic colour.
public enum ThemeColor: Hashable, Sendable, CustomStringConvertible {
  case terminalDefault
  /// 0–15: black, red, green, yellow, blue, magenta, cyan, white, then bright variants.
  case basic(Int)
  case indexed(Int)
  case rgb(red: Int, green: Int, blue: Int)

  public static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

  /// Parses `default`, `red`, `bright-red`, `color208` or `#ff8800`; nil when none of those.
  public init?(parsing text: String) {
    let name = text.lowercased()
    if name == "default" || name == "none" {
      self = .terminalDefault
    } else if let index = Self.basicNames.firstIndex(of: name) {
      self = .basic(index)
    } else if name.hasPrefix("bright-"), let index = Self.basicNames.firstIndex(of: String(name.dropFirst(7))) {
      self = .basic(index + 8)
    } else if name.hasPrefix("color"), let index = Int(name.dropFirst(5)), (0...255).contains(index) {
      self = .indexed(index)
    } else if name.hasPrefix("#"), name.count == 7, let value = Int(name.dropFirst(), radix: 16) {
      self = .rgb(red: (value >> 16) & 0xFF, green: (value >> 8) & 0xFF, blue: value & 0xFF)
    } else {
      return nil
    }
  }

  public var description: String {
    switch self {
    case .terminalDefault: "default"
    case .basic(let index): index < 8 ? Self.basicNames[index] : "bright-" + Self.basicNames[index - 8]
    case .indexed(let index): "color\(index)"
    case .rgb(let red, let green, let blue):
      "#"
        + [red, green, blue].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        .joined()
    }
  }

  /// The xterm 256-colour index closest to this colour; nil for the terminal default.
  public var index256: Int? {
    switch self {
    case .terminalDefault: return nil
    case .basic(let index): return index
    case .indexed(let index): return index
    case .rgb(let red, let green, let blue):
      let cube = [0, 95, 135, 175, 215, 255]
      func level(_ value: Int) -> Int { cube.indices.min { abs(cube[$0] - value) < abs(cube[$1] - value) } ?? 0 }
      let (r, g, b) = (level(red), level(green), level(blue))
      let cubeIndex = 16 + 36 * r + 6 * g + b
      let cubeDistance = Self.distance((cube[r], cube[g], cube[b]), (red, green, blue))
      let grey = max(0, min(23, ((red + green + blue) / 3 - 8 + 5) / 10))
      let greyValue = 8 + 10 * grey
      let greyDistance = Self.distance((greyValue, greyValue, greyValue), (red, green, blue))
      return greyDistance < cubeDistance ? 232 + grey : cubeIndex
    }
  }

  /// The closest of the eight basic colours by hue (greys become black or white); nil for
  /// the terminal default. Plain distance would turn every pastel into white.
  public var index8: Int? {
    guard let index = index256 else { return nil }
    if index < 16 { return index % 8 }
    let (red, green, blue) = Self.rgbOf256(index)
    let high = max(red, green, blue)
    let low = min(red, green, blue)
    if high - low < 40 { return (red + green + blue) / 3 >= 64 ? 7 : 0 }
    let middle = (high + low) / 2
    return (red >= middle ? 1 : 0) + (green >= middle ? 2 : 0) + (blue >= middle ? 4 : 0)
  }

  static func rgbOf256(_ index: Int) -> (Int, Int, Int) {
    if index >= 232 {
      let value = 8 + 10 * (index - 232)
      return (value, value, value)
    }
    let cube = [0, 95, 135, 175, 215, 255]
    let offset = max(0, index - 16)
    return (cube[(offset / 36) % 6], cube[(offset / 6) % 6], cube[offset % 6])
  }

  static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
    let (dr, dg, db) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
    return dr * dr + dg * dg + db * db
  }
}

/// How one role looks: colours plus attributes that still work without colour.
public struct ThemeStyle: Hashable, Sendable, CustomStringConvertible {
  public var foreground: ThemeColor
  public var background: ThemeColor
  public var bold: Bool
  public var dim: Bool
  public var underline: Bool
  public var reverse: Bool

  public init(
    foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, bold: Bool = false,
    dim: Bool = false, underline: Bool = false, reverse: Bool = false
  ) {
    self.foreground = foreground
    self.background = background
    self.bold = bold
    self.dim = dim
    self.underline = underline
    self.reverse = reverse
  }

  public static let plain = ThemeStyle()

  /// `fg [on bg] [bold] [dim] [underline] [reverse]`, the form theme files use.
  public var description: String {
    var words = [foreground.description]
    if background != .terminalDefault { words += ["on", background.description] }
    if bold { words.append("bold") }
    if dim { words.append("dim") }
    if underline { words.append("underline") }
    if reverse { words.append("reverse") }
    return words.joined(separator: " ")
  }

  /// This style with colours dropped, for `NO_COLOR` and monochrome terminals.
  public var withoutColour: ThemeStyle {
    ThemeStyle(bold: bold, dim: dim, underline: underline, reverse: reverse)
  }
}
