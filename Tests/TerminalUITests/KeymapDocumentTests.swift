import Foundation
import Testing

@testable import TerminalUI

@Suite("docs/keybindings.md")
struct KeymapDocumentTests {
  static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/keybindings.md")

  @Test("matches the keymap table (LIANYAOHU_RECORD=1 regenerates it)")
  func documentIsCurrent() throws {
    let generated = KeymapDocument.markdown
    if Snapshot.isRecording {
      try FileManager.default.createDirectory(at: Self.path.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(generated.utf8).write(to: Self.path)
      return
    }
    let onDisk = try String(contentsOf: Self.path, encoding: .utf8)
    #expect(onDisk == generated, "docs/keybindings.md is out of date; run LIANYAOHU_RECORD=1 swift test --filter TerminalUITests")
  }

  @Test("every binding appears in the document, the help overlay and (when hinted) the footer")
  func everyBindingIsShown() {
    let document = KeymapDocument.markdown
    for binding in Keymap.bindings {
      #expect(document.contains(binding.help))
      #expect(HelpOverlay.lines.contains { $0.text == binding.help && $0.key == binding.keyLabel })
    }
    var state = Fixtures.state(width: 200, height: 60)
    state.focus = .providers
    let footer = render(state).lines().last ?? ""
    for binding in Keymap.hints(for: state.activeScopes) {
      if let hint = binding.hint { #expect(footer.contains("\(binding.keyLabel) \(hint)")) }
    }
  }
}
