import Foundation
import TerminalUI
import Testing

@testable import lianyaohu

/// `--theme`, `LIANYAOHU_THEME`, `[dashboard] theme` and the theme files beside the config:
/// what a name or a file the dashboard cannot use gets.
@Suite("Theme selection")
struct ThemeCatalogTests {
  /// A scratch XDG_CONFIG_HOME with the given files in `lianyaohu/themes/`.
  static func configHome(_ files: [String: String]) throws -> URL {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-themes-\(UUID().uuidString)")
    let themes = home.appendingPathComponent("lianyaohu/themes")
    try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(to: themes.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return home
  }

  @Test("an unknown theme name is an error listing the themes there are")
  func unknownName() throws {
    let home = try Self.configHome([:])
    defer { try? FileManager.default.removeItem(at: home) }
    #expect {
      try ThemeCatalog.select("solarized", environment: ["XDG_CONFIG_HOME": home.path])
    } throws: { error in
      let message = (error as? ThemeError)?.description ?? ""
      return message.contains("no such theme; choose one of default, light, high-contrast, monochrome")
    }
  }

  @Test("a theme path that does not exist is an error naming it")
  func missingPath() throws {
    let home = try Self.configHome([:])
    defer { try? FileManager.default.removeItem(at: home) }
    #expect {
      try ThemeCatalog.select("/nonexistent/mine.theme", environment: ["XDG_CONFIG_HOME": home.path])
    } throws: { error in
      (error as? ThemeError)?.description.hasPrefix("/nonexistent/mine.theme: cannot read the theme file") == true
    }
  }

  @Test("a broken file in the themes directory is a warning; the dashboard still starts")
  func brokenFileBeside() throws {
    let home = try Self.configHome(["broken.theme": "title = chartreuse\n", "mine.theme": "name = Mine\ntitle = red\n"])
    defer { try? FileManager.default.removeItem(at: home) }
    let selection = try ThemeCatalog.select(nil, environment: ["XDG_CONFIG_HOME": home.path])
    #expect(selection.chosen == "default")
    #expect(selection.themes.map(\.name).contains("mine"))
    #expect(!selection.themes.map(\.name).contains("broken"))
    #expect(selection.warnings.contains { $0.contains("broken.theme:1:") && $0.contains("'chartreuse' is not a colour") })
  }

  @Test("an empty theme name means the default")
  func emptyName() throws {
    let home = try Self.configHome([:])
    defer { try? FileManager.default.removeItem(at: home) }
    #expect(try ThemeCatalog.select("", environment: ["XDG_CONFIG_HOME": home.path]).chosen == "default")
  }
}
