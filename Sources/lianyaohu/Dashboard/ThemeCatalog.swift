import Foundation
import TerminalUI

/// Finds the themes `--theme` may name: the built-in ones, then `*.theme` files in
/// `$XDG_CONFIG_HOME/lianyaohu/themes/`, or a path to a theme file.
enum ThemeCatalog {
  struct Selection {
    /// Every theme `T` cycles through, the chosen one included.
    var themes: [Theme]
    var chosen: String
    var warnings: [String]
  }

  static func select(_ requested: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ThemeError)
    -> Selection
  {
    var themes = Theme.builtInThemes
    var warnings: [String] = []
    let directory = themeDirectory(environment)
    if let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
      for name in names.sorted() where name.hasSuffix(".theme") {
        let stem = String(name.dropLast(".theme".count))
        guard !themes.contains(where: { $0.name == stem }) else { continue }
        do {
          let loaded = try load(directory.appendingPathComponent(name).path, name: stem)
          themes.append(loaded.theme)
          warnings += loaded.warnings
        } catch {
          // A broken file the operator did not ask for must not stop the dashboard.
          warnings.append(error.description)
        }
      }
    }
    guard let requested, !requested.isEmpty else { return Selection(themes: themes, chosen: "default", warnings: warnings) }
    if themes.contains(where: { $0.name == requested }) {
      return Selection(themes: themes, chosen: requested, warnings: warnings)
    }
    if requested.contains("/") || requested.hasSuffix(".theme") {
      let stem = URL(fileURLWithPath: requested).deletingPathExtension().lastPathComponent
      let loaded = try load(requested, name: stem)
      themes.removeAll { $0.name == stem }
      themes.append(loaded.theme)
      return Selection(themes: themes, chosen: stem, warnings: warnings + loaded.warnings)
    }
    throw ThemeError(
      path: requested,
      message: "no such theme; choose one of \(themes.map(\.name).joined(separator: ", ")) or give a path to a .theme file")
  }

  static func load(_ path: String, name: String) throws(ThemeError) -> ThemeFile.Loaded {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ThemeError(path: path, message: "cannot read the theme file (\(error.localizedDescription))")
    }
    return try ThemeFile.parse(text, name: name, path: path)
  }

  static func themeDirectory(_ environment: [String: String]) -> URL {
    let base =
      environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
      ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
    return base.appendingPathComponent("lianyaohu").appendingPathComponent("themes")
  }
}
