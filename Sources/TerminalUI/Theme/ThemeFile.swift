/// The theme file format: `key = value` lines, `#` comments, blank lines ignored.
///
/// ```
/// name = Default dark
/// priceUp = color114
/// breakerForcedOpen = bold white on color124
/// ```
///
/// Keys are ``Role`` names plus `name`. A value is a foreground colour, optionally
/// `on` a background colour, then any of `bold dim underline reverse`. Unknown keys are
/// warnings; a malformed line is an error naming the file and line.
public enum ThemeFile {
  public struct Loaded: Sendable {
    public var theme: Theme
    /// Problems that did not stop loading: unknown keys, roles left to the default.
    public var warnings: [String]
  }

  public static func parse(_ text: String, name: String, path: String) throws(ThemeError) -> Loaded {
    var styles: [Role: ThemeStyle] = [:]
    var displayName = name
    var warnings: [String] = []
    var lineNumber = 0
    for rawLine in text.textFileLines {
      lineNumber += 1
      let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      let trimmed = line.trimmingWhitespace()
      if trimmed.isEmpty { continue }
      guard let equals = trimmed.firstIndex(of: "=") else {
        throw ThemeError(path: path, line: lineNumber, message: "expected `key = value`, found \(excerpt(trimmed))")
      }
      let key = trimmed[..<equals].trimmingWhitespace()
      var value = trimmed[trimmed.index(after: equals)...].trimmingWhitespace()
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
      if key == "name" {
        displayName = value
        continue
      }
      guard let role = Role(rawValue: key) else {
        warnings.append("\(path):\(lineNumber): unknown key \(excerpt(key)) ignored")
        continue
      }
      if styles[role] != nil { warnings.append("\(path):\(lineNumber): \(key) set twice; the last one wins") }
      styles[role] = try parseStyle(value, path: path, line: lineNumber)
    }
    let missing = Role.allCases.filter { styles[$0] == nil }
    if !missing.isEmpty {
      let names = missing.prefix(4).map(\.rawValue).joined(separator: ", ") + (missing.count > 4 ? ", …" : "")
      warnings.append("\(path): \(missing.count) role(s) not set, using the default theme's (\(names))")
    }
    return Loaded(theme: Theme(name: name, displayName: displayName, styles: styles), warnings: warnings)
  }

  static func parseStyle(_ value: String, path: String, line: Int) throws(ThemeError) -> ThemeStyle {
    var style = ThemeStyle()
    var expectBackground = false
    var sawForeground = false
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
      switch word.lowercased() {
      case "bold": style.bold = true
      case "dim": style.dim = true
      case "underline": style.underline = true
      case "reverse": style.reverse = true
      case "on":
        if expectBackground { throw ThemeError(path: path, line: line, message: "`on` twice in \(excerpt(value))") }
        expectBackground = true
      default:
        guard let colour = ThemeColor(parsing: word) else {
          throw ThemeError(
            path: path, line: line,
            message:
              "\(excerpt(word)) is not a colour or attribute (use default, red, bright-red, color0–color255, #rrggbb, bold, dim, underline, reverse)"
          )
        }
        if expectBackground {
          style.background = colour
          expectBackground = false
        } else if !sawForeground {
          style.foreground = colour
          sawForeground = true
        } else {
          throw ThemeError(
            path: path, line: line, message: "two foreground colours in \(excerpt(value)); put `on` before a background")
        }
      }
    }
    if expectBackground { throw ThemeError(path: path, line: line, message: "`on` needs a colour after it") }
    return style
  }

  /// Quoted, printable and short: theme files may hold anything.
  static func excerpt(_ text: some StringProtocol) -> String {
    let printable = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    return "'" + printable.truncated(toWidth: 40) + "'"
  }

  /// Renders a theme back into the file format (used to write the built-in files).
  public static func text(of theme: Theme, header: String) -> String {
    var lines = header.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }
    lines.append("name = \(theme.displayName)")
    for role in Role.allCases {
      if let style = theme.styles[role] { lines.append("\(role.rawValue) = \(style)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// A theme file that cannot be used, with the file and line to fix.
public struct ThemeError: Error, Hashable, Sendable, CustomStringConvertible {
  public var path: String
  public var line: Int?
  public var message: String

  public init(path: String, line: Int? = nil, message: String) {
    self.path = path
    self.line = line
    self.message = message
  }

  public var description: String {
    if let line { return "\(path):\(line): \(message)" }
    return "\(path): \(message)"
  }
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    var slice = Substring(self)
    while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
    return String(slice)
  }
}
