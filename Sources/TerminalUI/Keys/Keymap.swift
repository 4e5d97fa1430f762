/// The one keymap table. Dispatch, the footer hints, the `?` overlay and
/// docs/keybindings.md all read it, so they cannot disagree.
public enum Keymap {
  public static let bindings: [KeyBinding] = [
    // Everywhere (normal mode).
    KeyBinding(keys: [.tab], action: .focusNext, help: "focus the next pane", scope: .global, hint: "focus"),
    KeyBinding(keys: [.backTab], action: .focusPrevious, help: "focus the previous pane", scope: .global),
    KeyBinding(
      keys: (1...8).map { Key.character(Character(String($0))) }, action: .focusImmortal,
      help: "focus an immortal's pane (1 吕洞宾 … 8 铁拐李)", scope: .global, hint: "immortal"),
    KeyBinding(keys: [.up, .character("k")], action: .moveUp, help: "move the selection up", scope: .global),
    KeyBinding(keys: [.down, .character("j")], action: .moveDown, help: "move the selection down", scope: .global, hint: "move"),
    KeyBinding(
      keys: [.character("w")], action: .openWatchlistEditor, help: "edit the focused (or last focused) immortal's watchlist",
      scope: .global, hint: "watchlist"),
    KeyBinding(
      keys: [.character("c")], action: .requestClearCache, help: "clear the whole cache (asks first)", scope: .global,
      hint: "clear cache"),
    KeyBinding(
      keys: [.character("p")], action: .togglePause, help: "pause or resume the display (data keeps flowing)", scope: .global,
      hint: "pause"),
    KeyBinding(
      keys: [.character("s")], action: .cycleSort, help: "cycle the sort order: watchlist, name, change % ↓, change % ↑",
      scope: .global, hint: "sort"),
    KeyBinding(keys: [.character("T")], action: .cycleTheme, help: "cycle the colour theme", scope: .global, hint: "theme"),
    KeyBinding(keys: [.character("?")], action: .showHelp, help: "show all keys", scope: .global, hint: "help"),
    KeyBinding(keys: [.character("q")], action: .quit, help: "quit and restore the terminal", scope: .global, hint: "quit"),
    // Immortal panes.
    KeyBinding(
      keys: [.enter], action: .openDetail, help: "open the selected symbol's detail view: chart, profile, sources",
      scope: .immortal, hint: "detail"),
    // Detail view.
    KeyBinding(
      keys: [.right, .character("l")], action: .longerWindow, help: "a longer window, with its usual interval",
      scope: .detail, hint: "window"),
    KeyBinding(
      keys: [.left, .character("h")], action: .shorterWindow, help: "a shorter window, with its usual interval",
      scope: .detail),
    KeyBinding(
      keys: [.character("i")], action: .coarserInterval, help: "the next longer bar interval for this window",
      scope: .detail, hint: "interval"),
    KeyBinding(
      keys: [.character("I")], action: .finerInterval, help: "the next shorter bar interval for this window",
      scope: .detail),
    KeyBinding(
      keys: [.character("r")], action: .reloadDetail, help: "load the series and the profile again", scope: .detail,
      hint: "reload"),
    KeyBinding(
      keys: [.escape, .backspace], action: .closeDetail, help: "back to the dashboard", scope: .detail, hint: "back"),
    KeyBinding(keys: [.character("?")], action: .showHelp, help: "show all keys", scope: .detail, hint: "help"),
    KeyBinding(keys: [.character("q")], action: .quit, help: "quit and restore the terminal", scope: .detail, hint: "quit"),
    // Providers and breakers panes.
    KeyBinding(
      keys: [.character("t")], action: .tripProvider, help: "trip the selected provider: force its breaker open",
      scope: .providers, hint: "trip"),
    KeyBinding(
      keys: [.character("r")], action: .resetProvider, help: "reset the selected provider's breaker to closed",
      scope: .providers, hint: "reset"),
    KeyBinding(
      keys: [.character("d")], action: .toggleProviderEnabled, help: "disable or re-enable the selected provider",
      scope: .providers, hint: "disable/enable"),
    // Events pane.
    KeyBinding(keys: [.pageUp], action: .pageUp, help: "scroll the events a page towards the newest", scope: .events),
    KeyBinding(keys: [.pageDown], action: .pageDown, help: "scroll the events a page towards the oldest", scope: .events),
    // Watchlist editor.
    KeyBinding(keys: [.up, .character("k")], action: .moveUp, help: "select the previous symbol", scope: .watchlistEditor),
    KeyBinding(
      keys: [.down, .character("j")], action: .moveDown, help: "select the next symbol", scope: .watchlistEditor, hint: "move"),
    KeyBinding(
      keys: [.space], action: .toggleSymbol, help: "toggle the selected symbol active or inactive for the debate",
      scope: .watchlistEditor, hint: "toggle"),
    KeyBinding(keys: [.character("a")], action: .startAddingSymbol, help: "add a symbol", scope: .watchlistEditor, hint: "add"),
    KeyBinding(
      keys: [.character("x")], action: .removeSymbol, help: "remove the selected symbol", scope: .watchlistEditor, hint: "remove"),
    KeyBinding(
      keys: [.escape, .character("w"), .character("q")], action: .closeEditor, help: "close the editor", scope: .watchlistEditor,
      hint: "close"),
    // Typing a symbol.
    KeyBinding(
      keys: [.enter], action: .submitSymbol, help: "add the typed symbol (it is validated first)", scope: .symbolInput,
      hint: "add"),
    KeyBinding(keys: [.backspace], action: .eraseCharacter, help: "erase the last character", scope: .symbolInput),
    KeyBinding(keys: [.escape], action: .cancelInput, help: "stop adding", scope: .symbolInput, hint: "cancel"),
    // Confirmation prompts.
    KeyBinding(keys: [.character("y"), .enter], action: .confirm, help: "confirm", scope: .confirmation, hint: "yes"),
    KeyBinding(
      keys: [.character("n"), .escape], action: .cancel, help: "cancel (so does any other key)", scope: .confirmation, hint: "no"),
    // Help overlay.
    KeyBinding(keys: [.down, .character("j")], action: .moveDown, help: "scroll down", scope: .help, hint: "scroll"),
    KeyBinding(keys: [.up, .character("k")], action: .moveUp, help: "scroll up", scope: .help),
    KeyBinding(
      keys: [.character("?"), .escape, .character("q")], action: .closeHelp, help: "close the help (so does any other key)",
      scope: .help, hint: "close"),
  ]

  /// The binding for a key, searching the scopes in order.
  public static func binding(for key: Key, in scopes: [KeyScope]) -> KeyBinding? {
    for scope in scopes {
      if let binding = bindings.first(where: { $0.scope == scope && $0.keys.contains(key) }) { return binding }
    }
    return nil
  }

  /// The bindings to hint at in the footer, most specific scope first.
  public static func hints(for scopes: [KeyScope]) -> [KeyBinding] {
    scopes.flatMap { scope in bindings.filter { $0.scope == scope && $0.hint != nil } }
  }
}
