import Foundation
import Testing

@testable import TerminalUI

@Suite("Themes are data")
struct ThemeTests {
  static let themesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("themes")

  @Test("the compiled-in themes are the files in themes/, byte for byte")
  func builtInMatchFiles() throws {
    for file in BuiltInThemeFiles.all {
      let onDisk = try String(contentsOf: Self.themesDirectory.appendingPathComponent(file.name + ".theme"), encoding: .utf8)
      #expect(onDisk == file.text, "themes/\(file.name).theme differs from BuiltInThemeFiles.swift")
    }
    #expect(Theme.builtInThemes.map(\.name) == ["default", "light", "high-contrast", "monochrome"])
  }

  @Test("every built-in theme sets every role without warnings")
  func builtInAreComplete() throws {
    for file in BuiltInThemeFiles.all {
      let loaded = try ThemeFile.parse(file.text, name: file.name, path: file.name)
      #expect(loaded.warnings.isEmpty, "\(file.name): \(loaded.warnings)")
      #expect(loaded.theme.styles.count == Role.allCases.count)
    }
  }

  @Test("the monochrome theme uses no colour at all")
  func monochromeHasNoColour() {
    for role in Role.allCases {
      #expect(Theme.monochrome[role].foreground == .terminalDefault)
      #expect(Theme.monochrome[role].background == .terminalDefault)
    }
    #expect(Theme.monochrome[.stale].dim)
  }

  @Test("unknown keys warn, missing roles fall back to the default theme")
  func warningsAndFallback() throws {
    let loaded = try ThemeFile.parse(
      "name = Mine\npriceUp = bright-green bold\nsparkles = red\n", name: "mine", path: "mine.theme")
    #expect(loaded.theme.displayName == "Mine")
    #expect(loaded.theme[.priceUp] == ThemeStyle(foreground: .basic(10), bold: true))
    #expect(loaded.theme[.priceDown] == Theme.defaultDark[.priceDown])
    #expect(loaded.warnings.contains("mine.theme:3: unknown key 'sparkles' ignored"))
    #expect(loaded.warnings.contains { $0.hasPrefix("mine.theme: \(Role.allCases.count - 1) role(s) not set") })
  }

  struct BadFile: CustomTestStringConvertible, Sendable {
    var text: String
    var line: Int
    var message: String
    var testDescription: String { message }
  }

  @Test(
    "a bad file is an error naming the file and line",
    arguments: [
      BadFile(text: "title = bold\nborder red\n", line: 2, message: "expected `key = value`"),
      BadFile(text: "title = chartreuse\n", line: 1, message: "'chartreuse' is not a colour"),
      BadFile(text: "# ok\n\ntitle = red on\n", line: 3, message: "`on` needs a colour"),
      BadFile(text: "title = red blue\n", line: 1, message: "two foreground colours"),
      BadFile(text: "title = color256\n", line: 1, message: "'color256' is not a colour"),
    ])
  func badFile(_ bad: BadFile) {
    // The same with Windows line endings: the line named must not change.
    for text in [bad.text, bad.text.replacingOccurrences(of: "\n", with: "\r\n")] {
      #expect {
        try ThemeFile.parse(text, name: "bad", path: "themes/bad.theme")
      } throws: { error in
        guard let error = error as? ThemeError else { return false }
        return error.line == bad.line && error.description.hasPrefix("themes/bad.theme:\(bad.line): ")
          && error.message.contains(bad.message)
      }
    }
  }

  @Test("colours map to 256 and to 8 colours")
  func colourMapping() {
    #expect(ThemeColor(parsing: "#ff0000")?.index256 == 196)
    #expect(ThemeColor(parsing: "#ff0000")?.index8 == 1)
    #expect(ThemeColor(parsing: "color114")?.index8 == 2)
    #expect(ThemeColor(parsing: "#808080")?.index256 == 244)
    #expect(ThemeColor(parsing: "bright-red")?.index8 == 1)
    #expect(ThemeColor(parsing: "default")?.index256 == nil)
  }

  @Test("a style prints back in the file syntax")
  func roundTrip() throws {
    let style = ThemeStyle(foreground: .basic(0), background: .indexed(179), bold: true)
    #expect(style.description == "black on color179 bold")
    #expect(try ThemeFile.parseStyle(style.description, path: "x", line: 1) == style)
  }
}
