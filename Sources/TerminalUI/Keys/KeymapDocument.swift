/// docs/keybindings.md, generated from the keymap table (a test keeps the file current).
public enum KeymapDocument {
  public static var markdown: String {
    var lines = [
      "# Dashboard keys",
      "",
      "Generated from `Keymap.bindings` in `Sources/TerminalUI/Keys/Keymap.swift`; do not edit by hand.",
      "Run `LIANYAOHU_RECORD=1 swift test --filter TerminalUITests` to regenerate it.",
      "",
      "In normal mode the focused pane's keys and the keys under *Everywhere* apply; an open",
      "overlay (help, watchlist editor, confirmation) takes all keys until it closes. The detail",
      "view (`Enter` on a symbol) takes all keys until `Esc` goes back to the panes.",
      "While adding a symbol, any other printable key is typed into the field.",
    ]
    for scope in KeyScope.allCases {
      let bindings = Keymap.bindings.filter { $0.scope == scope }
      guard !bindings.isEmpty else { continue }
      lines += ["", "## \(scope.title)", "", "| keys | action |", "|---|---|"]
      for binding in bindings {
        let keys = binding.keyLabel.replacingOccurrences(of: "|", with: "\\|")
        lines.append("| `\(keys)` | \(binding.help) |")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
