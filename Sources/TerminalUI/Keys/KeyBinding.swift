/// Where a binding applies: the focused pane's scope and `global` are active in normal mode;
/// an open overlay replaces them with its own.
public enum KeyScope: String, CaseIterable, Hashable, Sendable {
  case global
  case immortal
  case detail
  case providers
  case events
  case watchlistEditor
  case symbolInput
  case confirmation
  case help

  /// The heading used in the help overlay and the generated docs.
  public var title: String {
    switch self {
    case .global: "Everywhere"
    case .immortal: "Immortal panes"
    case .detail: "Detail view"
    case .providers: "Providers and breakers panes"
    case .events: "Events pane"
    case .watchlistEditor: "Watchlist editor"
    case .symbolInput: "Adding a symbol"
    case .confirmation: "Confirmation prompts"
    case .help: "Help overlay"
    }
  }
}

/// What a key asks the dashboard to do; ``update(_:_:)`` gives each its meaning.
public enum KeyCommand: Hashable, Sendable {
  case quit
  case showHelp
  case closeHelp
  case focusNext
  case focusPrevious
  case focusImmortal
  case moveUp
  case moveDown
  case pageUp
  case pageDown
  case tripProvider
  case resetProvider
  case toggleProviderEnabled
  case openWatchlistEditor
  case toggleSymbol
  case startAddingSymbol
  case removeSymbol
  case closeEditor
  case submitSymbol
  case cancelInput
  case eraseCharacter
  case requestClearCache
  case confirm
  case cancel
  case togglePause
  case cycleSort
  case cycleTheme
  case openDetail
  case closeDetail
  case longerWindow
  case shorterWindow
  case coarserInterval
  case finerInterval
  case reloadDetail
}

/// One row of the keymap: the keys, what they do, the help text, and where they apply.
public struct KeyBinding: Hashable, Sendable {
  public var keys: [Key]
  public var action: KeyCommand
  public var help: String
  public var scope: KeyScope
  /// A word or two for the footer; nil keeps the binding out of the footer.
  public var hint: String?

  public init(keys: [Key], action: KeyCommand, help: String, scope: KeyScope, hint: String? = nil) {
    self.keys = keys
    self.action = action
    self.help = help
    self.scope = scope
    self.hint = hint
  }

  /// The keys as shown to people: `1–8` for a digit range, otherwise joined with `/`.
  public var keyLabel: String {
    let digits = keys.compactMap(\.digit)
    if digits.count == keys.count, digits.count > 2, let first = digits.first, let last = digits.last,
      digits == Array(first...last)
    {
      return "\(first)–\(last)"
    }
    return keys.map(\.description).joined(separator: "/")
  }
}
