/// One key press as the dashboard understands it, independent of the terminal library.
public enum Key: Hashable, Sendable, CustomStringConvertible {
  case character(Character)
  case up, down, left, right
  case pageUp, pageDown, home, end
  case tab, backTab
  case enter, escape, backspace, delete
  case function(Int)

  public static let space = Key.character(" ")

  /// How keys are written in the footer, the help overlay and docs/keybindings.md.
  public var description: String {
    switch self {
    case .character(" "): "Space"
    case .character(let character): String(character)
    case .up: "↑"
    case .down: "↓"
    case .left: "←"
    case .right: "→"
    case .pageUp: "PgUp"
    case .pageDown: "PgDn"
    case .home: "Home"
    case .end: "End"
    case .tab: "Tab"
    case .backTab: "Shift-Tab"
    case .enter: "Enter"
    case .escape: "Esc"
    case .backspace: "Backspace"
    case .delete: "Delete"
    case .function(let number): "F\(number)"
    }
  }

  /// The digit 1–9 this key types, if any.
  public var digit: Int? {
    guard case .character(let character) = self, let value = character.wholeNumberValue, character.isASCII else { return nil }
    return value
  }
}
