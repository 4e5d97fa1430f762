import Foundation
import MarketCore
import Testing

@testable import TerminalUI

/// Every key of every binding in the keymap table, pressed in the mode its scope belongs to,
/// does what the binding says.
@Suite("Key bindings drive update")
struct KeyBindingTests {
  struct Press: CustomTestStringConvertible, Sendable {
    var binding: KeyBinding
    var key: Key
    var testDescription: String { "\(binding.scope.rawValue): \(key) → \(binding.action)" }
  }

  static let presses: [Press] = Keymap.bindings.flatMap { binding in binding.keys.map { Press(binding: binding, key: $0) } }

  @Test("each key does what its binding says", arguments: presses)
  func press(_ press: Press) throws {
    var state = Fixtures.state(width: 120, height: 40)
    prepare(&state, for: press.binding)
    let before = state
    let effects = update(&state, .key(press.key))
    try verify(press, before: before, after: state, effects: effects)
  }

  @Test("every command in the table is exercised, and no key is bound twice in one scope")
  func tableIsCoherent() {
    for scope in KeyScope.allCases {
      let keys = Keymap.bindings.filter { $0.scope == scope }.flatMap(\.keys)
      #expect(Set(keys).count == keys.count, "a key is bound twice in \(scope)")
    }
    #expect(!Keymap.bindings.filter { $0.hint != nil }.isEmpty)
  }

  /// Puts the state in the mode where the binding's scope is active.
  func prepare(_ state: inout DashboardState, for binding: KeyBinding) {
    switch binding.scope {
    case .global:
      state.symbolSelection[.luDongbin] = 1
    case .immortal:
      break
    case .detail:
      state = DetailFixtures.state(width: 120, height: 40)
    case .providers:
      state.focus = .providers
      state.providerSelection = 1
    case .events:
      state.focus = .events
      for index in 0..<30 {
        _ = update(&state, .event(MarketEvent(time: Fixtures.time, kind: .operatorAction("event \(index)"))))
      }
      state.eventsScroll = 12
    case .watchlistEditor:
      Fixtures.press([.character("w")], &state)
      Fixtures.press([.down], &state)
    case .symbolInput:
      Fixtures.press([.character("w"), .character("a")] + "NFLX".map { Key.character($0) }, &state)
    case .confirmation:
      Fixtures.press([.character("c")], &state)
    case .help:
      Fixtures.press([.character("?")], &state)
      state.helpScroll = 1
    }
  }

  func editor(_ state: DashboardState) -> WatchlistEditor? {
    if case .watchlistEditor(let editor) = state.overlay { return editor }
    return nil
  }

  func verify(_ press: Press, before: DashboardState, after: DashboardState, effects: [Effect]) throws {
    let key = press.key
    switch press.binding.action {
    case .quit:
      #expect(effects == [.quit])
    case .showHelp:
      #expect(after.overlay == .help)
    case .closeHelp:
      #expect(after.overlay == nil)
    case .focusNext:
      #expect(after.focus == before.focus.moved(by: 1))
    case .focusPrevious:
      #expect(after.focus == before.focus.moved(by: -1))
    case .focusImmortal:
      let digit = try #require(key.digit)
      #expect(after.focus == .immortal(ImmortalID.allCases[digit - 1]))
      #expect(after.lastImmortal == ImmortalID.allCases[digit - 1])
    case .moveUp, .moveDown:
      let step = press.binding.action == .moveUp ? -1 : 1
      switch press.binding.scope {
      case .watchlistEditor:
        #expect(editor(after)?.selection == (editor(before)?.selection ?? 0) + step)
      case .help:
        #expect(after.helpScroll == before.helpScroll + step)
      default:
        #expect(after.symbolSelection[.luDongbin] == (before.symbolSelection[.luDongbin] ?? 0) + step)
      }
    case .pageUp:
      #expect(after.eventsScroll == before.eventsScroll - 10)
    case .pageDown:
      #expect(after.eventsScroll == before.eventsScroll + 10)
    case .tripProvider:
      #expect(effects == [.perform(.tripProvider("sim-beta"))])
    case .resetProvider:
      #expect(effects == [.perform(.resetProvider("sim-beta"))])
    case .toggleProviderEnabled:
      #expect(effects == [.perform(.setProviderEnabled("sim-beta", false))])
    case .openWatchlistEditor:
      #expect(editor(after)?.immortal == .luDongbin)
      #expect(editor(after)?.selection == 1, "opens on the symbol selected in the pane")
    case .toggleSymbol:
      #expect(effects == [.perform(.toggleSymbol(.luDongbin, Symbol("NVDA")))])
    case .removeSymbol:
      #expect(effects == [.perform(.removeSymbol(.luDongbin, Symbol("NVDA")))])
    case .startAddingSymbol:
      #expect(editor(after)?.input == "")
    case .closeEditor:
      #expect(after.overlay == nil)
      #expect(effects.isEmpty)
    case .submitSymbol:
      #expect(effects == [.perform(.addSymbol(.luDongbin, Symbol("NFLX")))])
      #expect(editor(after)?.input == nil)
    case .cancelInput:
      #expect(editor(after)?.input == nil)
      #expect(editor(after) != nil, "cancelling the input keeps the editor open")
    case .eraseCharacter:
      #expect(editor(after)?.input == "NFL")
    case .requestClearCache:
      #expect(after.overlay == .confirmClearCache)
      #expect(effects.isEmpty, "nothing is cleared before the confirmation")
    case .confirm:
      #expect(effects == [.perform(.clearCache)])
      #expect(after.overlay == nil)
    case .cancel:
      #expect(effects.isEmpty)
      #expect(after.overlay == nil)
    case .togglePause:
      #expect(after.isPaused != before.isPaused)
    case .cycleSort:
      #expect(after.sortOrder == before.sortOrder.next)
    case .cycleTheme:
      #expect(after.themeIndex == (before.themeIndex + 1) % before.themeNames.count)
    case .openDetail:
      #expect(after.detail?.symbol == Symbol("AAPL"))
      #expect(effects.count == 2)
    case .closeDetail:
      #expect(after.detail == nil)
    case .longerWindow:
      #expect(after.detail?.range == .sixMonths)
    case .shorterWindow:
      #expect(after.detail?.range == .oneMonth)
      #expect(after.detail?.interval == .oneHour)
    case .coarserInterval:
      #expect(after.detail?.interval == .oneWeek)
    case .finerInterval:
      #expect(after.detail?.interval == .oneHour)
    case .reloadDetail:
      #expect(after.detail?.series == .loading)
      #expect(effects.count == 2)
    }
  }
}
