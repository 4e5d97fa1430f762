import Foundation
import MarketCore

/// The dashboard's one state transition: applies an action and returns the effects the loop
/// must run (operator commands, quitting). Pure: no I/O, no clock reads.
public func update(_ state: inout DashboardState, _ action: Action) -> [Effect] {
  switch action {
  case .key(let key):
    return handleKey(key, &state)
  case .resize(let size):
    state.size = size
  case .tick(let time):
    state.now = max(state.now, time)
    if let message = state.message, message.expires <= state.now { state.message = nil }
  case .snapshot(let snapshot):
    apply(snapshot, to: &state)
    return sparklinesToLoad(&state)
  case .quoteUpdated(let served):
    state.market.merge(served)
    state.market.quoteRate.record(at: served.quote.receivedAt)
  case .providerStatuses(let statuses):
    state.market.takeProviders(statuses, at: state.now)
    clampSelections(&state)
  case .cacheStatistics(let tiers):
    state.market.cacheTiers = tiers
  case .event(let event):
    switch event.kind {
    case .quoteUpdated(let served):
      state.market.merge(served)
      state.market.quoteRate.record(at: served.quote.receivedAt)
      return []
    case .watchlistChanged(let immortal, let list):
      state.market.watchlists[immortal] = list
      clampSelections(&state)
      if let line = EventLine(event) { state.market.append(line) }
      return sparklinesToLoad(&state)
    default:
      break
    }
    if let line = EventLine(event) { state.market.append(line) }
  case .watchlists(let lists):
    state.market.watchlists = lists
    clampSelections(&state)
    return sparklinesToLoad(&state)
  case .eventLine(let line):
    state.market.append(line)
  case .connection(let connection):
    setConnection(connection, &state)
  case .commandFinished(let command, let result):
    finish(command, result, &state)
  case .historyLoaded(let request, let result):
    guard var detail = state.detail, detail.request == request else { return [] }
    switch result {
    case .success(let served): detail.series = .loaded(served)
    case .failure(let error): detail.series = .failed(error)
    }
    state.detail = detail
  case .profileLoaded(let symbol, let result):
    guard var detail = state.detail, detail.symbol == symbol else { return [] }
    switch result {
    case .success(let served): detail.profile = .loaded(served)
    case .failure(let error): detail.profile = .failed(error)
    }
    state.detail = detail
  case .sparklineHistory(let points):
    for (symbol, closes) in points { state.market.seedHistory(symbol, closes) }
  }
  return []
}

// MARK: Data

/// Sparklines start full: every symbol shown asks once for intraday history, on the first
/// look or when a watchlist edit brings it in.
private func sparklinesToLoad(_ state: inout DashboardState) -> [Effect] {
  var symbols: [Symbol] = []
  for immortal in ImmortalID.allCases {
    for symbol in state.market.watchlist(immortal).activeSymbols where state.sparklinesRequested.insert(symbol).inserted {
      symbols.append(symbol)
    }
  }
  return symbols.isEmpty ? [] : [.loadSparklines(symbols)]
}

private func apply(_ snapshot: DashboardSnapshot, to state: inout DashboardState) {
  state.now = max(state.now, snapshot.time)
  setConnection(snapshot.connection, &state)
  var market = state.market
  market.watchlists = snapshot.watchlists
  market.takeProviders(snapshot.providers, at: snapshot.time)
  market.cacheTiers = snapshot.cacheTiers
  market.quoteTimeToLive = snapshot.quoteTimeToLive
  for served in snapshot.quotes.values { market.merge(served) }
  for (symbol, points) in snapshot.history { market.seedHistory(symbol, points) }
  if !state.hasSnapshot {
    for event in snapshot.recentEvents {
      if let line = EventLine(event) { market.append(line) }
    }
    state.hasSnapshot = true
  }
  state.market = market
  clampSelections(&state)
}

/// Takes the new connection state; losing or regaining the core is written to the events pane.
private func setConnection(_ connection: ConnectionState, _ state: inout DashboardState) {
  if let text = connection.eventText(after: state.connection) {
    state.market.append(EventLine(time: state.now, kind: .dashboard, text: text))
    let isConnected = if case .connected = connection { true } else { false }
    show(text, isError: !isConnected, &state)
  }
  state.connection = connection
}

private func clampSelections(_ state: inout DashboardState) {
  let providerCount = state.shown.providers.count
  state.providerSelection = providerCount == 0 ? 0 : min(max(0, state.providerSelection), providerCount - 1)
  for immortal in ImmortalID.allCases {
    let count = state.displayedSymbols(immortal).count
    if let selection = state.symbolSelection[immortal] {
      state.symbolSelection[immortal] = count == 0 ? 0 : min(selection, count - 1)
    }
  }
  if case .watchlistEditor(var editor) = state.overlay {
    let count = state.market.watchlist(editor.immortal).entries.count
    editor.selection = count == 0 ? 0 : min(max(0, editor.selection), count - 1)
    state.overlay = .watchlistEditor(editor)
  }
}

private func finish(_ command: OperatorCommand, _ result: Result<String, OperatorCommandError>, _ state: inout DashboardState) {
  switch result {
  case .success(let confirmation):
    show("✓ " + confirmation, isError: false, &state)
    if case .watchlistEditor(var editor) = state.overlay, command.editsWatchlist {
      editor.message = .init(text: confirmation, isError: false)
      state.overlay = .watchlistEditor(editor)
    }
  case .failure(let error):
    show("✗ \(command) failed: \(error.message)", isError: true, &state)
    state.market.append(EventLine(time: state.now, kind: .dashboard, text: "✗ \(command) failed: \(error.message)"))
    if case .watchlistEditor(var editor) = state.overlay, command.editsWatchlist {
      editor.message = .init(text: error.message, isError: true)
      state.overlay = .watchlistEditor(editor)
    }
  }
}

private func show(_ text: String, isError: Bool, _ state: inout DashboardState) {
  state.message = StatusMessage(text: text, isError: isError, expires: state.now + DashboardState.messageDuration)
}

// MARK: Keys

private func handleKey(_ key: Key, _ state: inout DashboardState) -> [Effect] {
  let scopes = state.activeScopes
  guard let binding = Keymap.binding(for: key, in: scopes) else {
    switch state.overlay {
    case .help:
      state.overlay = nil
    case .confirmClearCache:
      state.overlay = nil
      show("cache not cleared", isError: false, &state)
    case .watchlistEditor(var editor) where editor.input != nil:
      // Printable ASCII only: a control character typed here would reach the screen as is.
      if case .character(let character) = key, let code = character.asciiValue, (0x21...0x7E).contains(code),
        let input = editor.input, input.count < Symbol.maximumLength + 8
      {
        editor.input = input + String(character)
        editor.message = nil
        state.overlay = .watchlistEditor(editor)
      }
    default:
      break
    }
    return []
  }
  return run(binding.action, key: key, &state)
}

private func run(_ command: KeyCommand, key: Key, _ state: inout DashboardState) -> [Effect] {
  switch command {
  case .quit:
    return [.quit]
  case .showHelp:
    state.overlay = .help
    state.helpScroll = 0
  case .closeHelp:
    state.overlay = nil
  case .focusNext:
    focus(state.focus.moved(by: 1), &state)
  case .focusPrevious:
    focus(state.focus.moved(by: -1), &state)
  case .focusImmortal:
    if let digit = key.digit, (1...ImmortalID.allCases.count).contains(digit) {
      focus(.immortal(ImmortalID.allCases[digit - 1]), &state)
    }
  case .moveUp:
    move(by: -1, &state)
  case .moveDown:
    move(by: 1, &state)
  case .pageUp:
    state.eventsScroll = max(0, state.eventsScroll - 10)
  case .pageDown:
    state.eventsScroll = min(max(0, state.shown.events.count - 1), state.eventsScroll + 10)
  case .tripProvider:
    return providerCommand(&state) { .tripProvider($0.id) }
  case .resetProvider:
    return providerCommand(&state) { .resetProvider($0.id) }
  case .toggleProviderEnabled:
    return providerCommand(&state) { .setProviderEnabled($0.id, !$0.isEnabled) }
  case .openWatchlistEditor:
    let immortal = state.focus.immortal ?? state.lastImmortal
    let selected = state.displayedSymbols(immortal)[safe: state.symbolSelection[immortal] ?? 0]
    let entries = state.market.watchlist(immortal).entries
    let index = selected.flatMap { symbol in entries.firstIndex { $0.symbol == symbol } } ?? 0
    state.overlay = .watchlistEditor(WatchlistEditor(immortal: immortal, selection: index))
  case .toggleSymbol:
    return editorCommand(&state) { editor, symbol in .toggleSymbol(editor.immortal, symbol) }
  case .removeSymbol:
    return editorCommand(&state) { editor, symbol in .removeSymbol(editor.immortal, symbol) }
  case .startAddingSymbol:
    editEditor(&state) {
      $0.input = ""
      $0.message = nil
    }
  case .closeEditor:
    state.overlay = nil
  case .submitSymbol:
    return submitSymbol(&state)
  case .cancelInput:
    editEditor(&state) {
      $0.input = nil
      $0.message = nil
    }
  case .eraseCharacter:
    editEditor(&state) {
      if var input = $0.input, !input.isEmpty {
        input.removeLast()
        $0.input = input
      }
      $0.message = nil
    }
  case .requestClearCache:
    state.overlay = .confirmClearCache
  case .confirm:
    state.overlay = nil
    show("clearing the cache…", isError: false, &state)
    return [.perform(.clearCache)]
  case .cancel:
    state.overlay = nil
    show("cache not cleared", isError: false, &state)
  case .togglePause:
    if state.frozen == nil {
      var frozen = state.market
      frozen.frozenAt = state.now
      state.frozen = frozen
      show("display paused; data keeps flowing (p resumes)", isError: false, &state)
    } else {
      state.frozen = nil
      show("display resumed", isError: false, &state)
    }
  case .cycleSort:
    state.sortOrder = state.sortOrder.next
    show("sort: \(state.sortOrder.label)", isError: false, &state)
  case .openDetail:
    return openDetail(&state)
  case .closeDetail:
    state.detail = nil
  case .longerWindow:
    return changeWindow(by: 1, &state)
  case .shorterWindow:
    return changeWindow(by: -1, &state)
  case .coarserInterval:
    return changeInterval(by: 1, &state)
  case .finerInterval:
    return changeInterval(by: -1, &state)
  case .reloadDetail:
    guard var detail = state.detail else { return [] }
    detail.profile = .loading
    state.detail = detail
    return loadSeries(&state) + [.loadProfile(detail.symbol)]
  case .cycleTheme:
    if state.themeLocked {
      show("NO_COLOR is set: the monochrome theme stays", isError: false, &state)
    } else {
      state.themeIndex = (state.themeIndex + 1) % state.themeNames.count
      show("theme: \(state.themeName)", isError: false, &state)
    }
  }
  return []
}

// MARK: Detail view

private func openDetail(_ state: inout DashboardState) -> [Effect] {
  guard let immortal = state.focus.immortal,
    let symbol = state.displayedSymbols(immortal)[safe: state.symbolSelection[immortal] ?? 0]
  else {
    show("no symbol selected", isError: true, &state)
    return []
  }
  state.detail = DetailView(symbol: symbol)
  return loadSeries(&state) + [.loadProfile(symbol)]
}

/// Marks the series loading and asks for it; a pair the core would refuse is shown as such.
private func loadSeries(_ state: inout DashboardState) -> [Effect] {
  guard var detail = state.detail else { return [] }
  do throws(HistoryRequestError) {
    let request = try HistoryRequest(symbol: detail.symbol, interval: detail.interval, window: .range(detail.range))
    detail.series = .loading
    state.detail = detail
    return [.loadHistory(request)]
  } catch {
    detail.series = .failed(DetailLoadError(errorClass: error.errorClass, reason: error.description))
    state.detail = detail
    return []
  }
}

private func changeWindow(by step: Int, _ state: inout DashboardState) -> [Effect] {
  guard var detail = state.detail, let index = DetailView.ranges.firstIndex(of: detail.range) else { return [] }
  let next = min(max(0, index + step), DetailView.ranges.count - 1)
  guard next != index else {
    show(step > 0 ? "the longest window already" : "the shortest window already", isError: false, &state)
    return []
  }
  detail.range = DetailView.ranges[next]
  detail.interval = DetailView.usualInterval(for: detail.range)
  state.detail = detail
  return loadSeries(&state)
}

private func changeInterval(by step: Int, _ state: inout DashboardState) -> [Effect] {
  guard var detail = state.detail else { return [] }
  let intervals = DetailView.intervals(for: detail.range)
  let index = intervals.firstIndex(of: detail.interval) ?? intervals.firstIndex(of: DetailView.usualInterval(for: detail.range))
  guard let index, intervals.indices.contains(index + step) else {
    show("no \(step > 0 ? "longer" : "shorter") interval for a \(detail.range) window", isError: false, &state)
    return []
  }
  detail.interval = intervals[index + step]
  state.detail = detail
  return loadSeries(&state)
}

private func focus(_ focus: Focus, _ state: inout DashboardState) {
  state.focus = focus
  if let immortal = focus.immortal { state.lastImmortal = immortal }
}

private func move(by step: Int, _ state: inout DashboardState) {
  if state.overlay == .help {
    state.helpScroll = min(max(0, state.helpScroll + step), HelpOverlay.lineCount)
    return
  }
  if case .watchlistEditor(var editor) = state.overlay {
    let count = state.market.watchlist(editor.immortal).entries.count
    editor.selection = count == 0 ? 0 : min(max(0, editor.selection + step), count - 1)
    editor.message = nil
    state.overlay = .watchlistEditor(editor)
    return
  }
  switch state.focus {
  case .immortal(let immortal):
    let count = state.displayedSymbols(immortal).count
    let current = state.symbolSelection[immortal] ?? 0
    state.symbolSelection[immortal] = count == 0 ? 0 : min(max(0, current + step), count - 1)
  case .providers, .breakers:
    let count = state.shown.providers.count
    state.providerSelection = count == 0 ? 0 : min(max(0, state.providerSelection + step), count - 1)
  case .events:
    state.eventsScroll = min(max(0, state.eventsScroll + step), max(0, state.shown.events.count - 1))
  case .cache:
    break
  }
}

private func providerCommand(_ state: inout DashboardState, _ make: (ProviderStatus) -> OperatorCommand) -> [Effect] {
  guard let provider = state.selectedProvider else {
    show("no provider to act on", isError: true, &state)
    return []
  }
  let command = make(provider)
  show("\(command)…", isError: false, &state)
  return [.perform(command)]
}

private func editEditor(_ state: inout DashboardState, _ body: (inout WatchlistEditor) -> Void) {
  guard case .watchlistEditor(var editor) = state.overlay else { return }
  body(&editor)
  state.overlay = .watchlistEditor(editor)
}

private func editorCommand(
  _ state: inout DashboardState, _ make: (WatchlistEditor, Symbol) -> OperatorCommand
) -> [Effect] {
  guard case .watchlistEditor(var editor) = state.overlay else { return [] }
  guard let entry = state.market.watchlist(editor.immortal).entries[safe: editor.selection] else {
    editor.message = .init(text: "the watchlist is empty: a adds a symbol", isError: true)
    state.overlay = .watchlistEditor(editor)
    return []
  }
  let command = make(editor, entry.symbol)
  editor.message = .init(text: "\(command)…", isError: false)
  state.overlay = .watchlistEditor(editor)
  return [.perform(command)]
}

private func submitSymbol(_ state: inout DashboardState) -> [Effect] {
  guard case .watchlistEditor(var editor) = state.overlay, let input = editor.input else { return [] }
  let symbol: Symbol
  do {
    symbol = try Symbol(validating: input)
  } catch {
    editor.message = .init(text: "not a symbol: \(error)", isError: true)
    state.overlay = .watchlistEditor(editor)
    return []
  }
  let list = state.market.watchlist(editor.immortal)
  if list.contains(symbol) {
    editor.message = .init(text: "\(symbol) is already on the watchlist", isError: true)
    state.overlay = .watchlistEditor(editor)
    return []
  }
  if list.entries.count >= Watchlist.maximumEntries {
    editor.message = .init(text: "the watchlist is full (at most \(Watchlist.maximumEntries) symbols)", isError: true)
    state.overlay = .watchlistEditor(editor)
    return []
  }
  editor.input = nil
  editor.selection = list.entries.count
  editor.message = .init(text: "adding \(symbol)…", isError: false)
  state.overlay = .watchlistEditor(editor)
  return [.perform(.addSymbol(editor.immortal, symbol))]
}

extension Array {
  subscript(safe index: Int) -> Element? {
    indices.contains(index) ? self[index] : nil
  }
}
