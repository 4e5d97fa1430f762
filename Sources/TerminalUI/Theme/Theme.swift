/// A named mapping from every ``Role`` to a ``ThemeStyle``: themes are data, loaded from
/// `themes/*.theme` files (the built-in ones are compiled in from the same text).
public struct Theme: Hashable, Sendable {
  /// The identifier used by `--theme` and the file name without `.theme`.
  public var name: String
  /// What the header and help show.
  public var displayName: String
  public var styles: [Role: ThemeStyle]

  public init(name: String, displayName: String, styles: [Role: ThemeStyle]) {
    self.name = name
    self.displayName = displayName
    self.styles = styles
  }

  /// The style of a role; a role the theme leaves out falls back to the default theme.
  public subscript(role: Role) -> ThemeStyle {
    styles[role] ?? Theme.fallbackStyles[role] ?? .plain
  }

  /// A theme made entirely of attributes, for `NO_COLOR`.
  public static var monochrome: Theme {
    builtIn("monochrome") ?? Theme(name: "monochrome", displayName: "Monochrome", styles: [:])
  }
  public static var defaultDark: Theme { builtIn("default") ?? Theme(name: "default", displayName: "Default dark", styles: [:]) }

  /// A compiled-in theme by name.
  public static func builtIn(_ name: String) -> Theme? {
    builtInThemes.first { $0.name == name }
  }

  /// The compiled-in themes, in the order `T` cycles through them.
  public static let builtInThemes: [Theme] = BuiltInThemeFiles.all.compactMap { file in
    try? ThemeFile.parse(file.text, name: file.name, path: "built-in \(file.name).theme").theme
  }

  private static let fallbackStyles: [Role: ThemeStyle] = {
    guard let file = BuiltInThemeFiles.all.first,
      let theme = try? ThemeFile.parse(file.text, name: file.name, path: "built-in").theme
    else { return [:] }
    return theme.styles
  }()
}
