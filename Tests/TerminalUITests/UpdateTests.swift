import Foundation
import MarketCore
import Testing

@testable import TerminalUI

@Suite("update beyond single keys")
struct UpdateTests {
  @Test("Tab walks every pane and wraps; Shift-Tab walks back")
  func focusCycle() {
    var state = Fixtures.state(width: 120, height: 40)
    var seen: [Focus] = [state.focus]
    for _ in 0..<Focus.order.count {
      Fixtures.press([.tab], &state)
      seen.append(state.focus)
    }
    #expect(Array(seen.prefix(Focus.order.count)) == Focus.order)
    #expect(state.focus == .immortal(.luDongbin))
    Fixtures.press([.backTab], &state)
    #expect(state.focus == .events)
  }

  @Test("provider keys do nothing outside the providers and breakers panes")
  func providerKeysNeedFocus() {
    var state = Fixtures.state(width: 120, height: 40)
    #expect(Fixtures.press([.character("t"), .character("r"), .character("d")], &state).isEmpty)
    state.focus = .breakers
    #expect(Fixtures.press([.character("t")], &state) == [.perform(.tripProvider("sim-alpha"))])
    state.providerSelection = 3
    #expect(
      Fixtures.press([.character("d")], &state) == [.perform(.setProviderEnabled("finnhub", true))],
      "a disabled provider is re-enabled")
  }

  @Test("adding an invalid symbol explains why and sends nothing")
  func invalidSymbol() throws {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("w"), .character("a")] + "BAD$".map { Key.character($0) }, &state)
    let effects = Fixtures.press([.enter], &state)
    #expect(effects.isEmpty)
    guard case .watchlistEditor(let editor) = state.overlay else { throw CancellationError() }
    #expect(editor.input == "BAD$", "the text stays for correction")
    #expect(editor.message?.isError == true)
    #expect(editor.message?.text.contains("'$' at position 4") == true)
  }

  @Test("adding a symbol already on the list is refused before reaching the core")
  func duplicateSymbol() throws {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("w"), .character("a")] + "aapl".map { Key.character($0) }, &state)
    #expect(Fixtures.press([.enter], &state).isEmpty)
    guard case .watchlistEditor(let editor) = state.overlay else { throw CancellationError() }
    #expect(editor.message?.text == "AAPL is already on the watchlist")
  }

  @Test("while typing a symbol, q and other command keys are text")
  func typingIsNotCommands() throws {
    var state = Fixtures.state(width: 120, height: 40)
    let effects = Fixtures.press([.character("w"), .character("a"), .character("q"), .character("c"), .character("x")], &state)
    #expect(effects.isEmpty)
    guard case .watchlistEditor(let editor) = state.overlay else { throw CancellationError() }
    #expect(editor.input == "qcx")
  }

  @Test("any other key closes the help; any other key cancels the confirmation")
  func otherKeysClose() {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("?"), .character("z")], &state)
    #expect(state.overlay == nil)
    let effects = Fixtures.press([.character("c"), .character("z")], &state)
    #expect(effects.isEmpty)
    #expect(state.overlay == nil)
    #expect(state.message?.text == "cache not cleared")
  }

  @Test("a finished command only reports: saving watchlists is the core owner's job, not an effect")
  func finishedCommandsReport() {
    var state = Fixtures.state(width: 120, height: 40)
    #expect(update(&state, .commandFinished(.toggleSymbol(.luDongbin, Symbol("AAPL")), .success("AAPL set aside"))).isEmpty)
    #expect(state.message?.text == "✓ AAPL set aside")
    #expect(update(&state, .commandFinished(.tripProvider("sim-alpha"), .success("tripped"))).isEmpty)
    #expect(state.message?.text == "✓ tripped")
  }

  @Test("a failed command is explained in the footer and the events pane")
  func failure() {
    var state = Fixtures.state(width: 120, height: 40)
    let effects = update(
      &state, .commandFinished(.tripProvider("nope"), .failure(OperatorCommandError("no provider named nope"))))
    #expect(effects.isEmpty)
    #expect(state.message?.isError == true)
    #expect(state.market.events.first?.text == "✗ trip nope failed: no provider named nope")
  }

  @Test("messages expire with time")
  func messageExpiry() {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("s")], &state)
    #expect(state.message != nil)
    _ = update(&state, .tick(Fixtures.time + DashboardState.messageDuration + 0.1))
    #expect(state.message == nil)
  }

  @Test("a newer quote extends the history and highlights the tick; an older one is ignored")
  func quoteUpdates() throws {
    var state = Fixtures.state(width: 120, height: 40)
    let symbol = Symbol("AAPL")
    let original = try #require(state.market.quotes[symbol])
    var newer = original.served
    newer.quote.price += 1
    newer.quote.receivedAt = Fixtures.time + 6
    _ = update(&state, .quoteUpdated(newer))
    let row = try #require(state.market.quotes[symbol])
    #expect(row.quote.price == original.quote.price + 1)
    #expect(row.history.count == 2)
    #expect(row.highlight(at: Fixtures.time + 6.5) == 1)
    #expect(row.highlight(at: Fixtures.time + 8) == 0)
    var older = original.served
    older.quote.price = 1
    older.quote.receivedAt = Fixtures.time - 100
    _ = update(&state, .quoteUpdated(older))
    #expect(state.market.quotes[symbol]?.quote.price == original.quote.price + 1)
  }

  @Test("values become stale once older than the time to live")
  func staleness() {
    var state = Fixtures.state(width: 120, height: 40)
    #expect(state.staleCount == 1)
    _ = update(&state, .tick(Fixtures.time + 30))
    #expect(state.staleCount == 40)
  }

  @Test("pausing freezes what is shown while data keeps flowing")
  func pause() throws {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("p")], &state)
    var newer = try #require(state.market.quotes[Symbol("AAPL")]).served
    newer.quote.price = 999
    newer.quote.receivedAt = Fixtures.time + 1
    _ = update(&state, .quoteUpdated(newer))
    #expect(state.market.quotes[Symbol("AAPL")]?.quote.price == 999)
    #expect(state.shown.quotes[Symbol("AAPL")]?.quote.price != 999)
    Fixtures.press([.character("p")], &state)
    #expect(state.shown.quotes[Symbol("AAPL")]?.quote.price == 999)
  }

  @Test("a watchlist change event updates the list and the selection stays in range")
  func watchlistEvent() {
    var state = Fixtures.state(width: 120, height: 40)
    state.symbolSelection[.luDongbin] = 4
    let list = Watchlist(symbols: [Symbol("AAPL"), Symbol("NVDA")])
    _ = update(&state, .event(MarketEvent(time: Fixtures.time, kind: .watchlistChanged(.luDongbin, list))))
    #expect(state.displayedSymbols(.luDongbin) == [Symbol("AAPL"), Symbol("NVDA")])
    #expect(state.symbolSelection[.luDongbin] == 1)
    #expect(state.market.events.first?.kind == .watchlist)
  }

  @Test("resizing changes the layout; sorting orders the symbols")
  func resizeAndSort() {
    var state = Fixtures.state(width: 120, height: 40)
    _ = update(&state, .resize(TerminalSize(width: 60, height: 15)))
    #expect(DashboardLayout(state: state).scroll != nil)
    _ = update(&state, .resize(TerminalSize(width: 40, height: 10)))
    #expect(DashboardLayout(state: state).isTooSmall)
    Fixtures.press([.character("s")], &state)
    #expect(state.displayedSymbols(.luDongbin).map(\.text) == ["AAPL", "AMD", "MSFT", "NVDA", "TSLA"])
  }

  @Test("under NO_COLOR the theme does not change")
  func themeLocked() {
    var state = Fixtures.state(width: 120, height: 40)
    state.themeLocked = true
    Fixtures.press([.character("T")], &state)
    #expect(state.themeIndex == 0)
  }

  @Test("the SIMULATED badge follows simulated data on screen")
  func simulatedBadge() {
    var state = Fixtures.state(width: 120, height: 40)
    #expect(state.showsSimulatedData)
    #expect(render(state).find("SIMULATED") != nil)
    for symbol in Array(state.market.quotes.keys) { state.market.quotes[symbol]?.served.quote.isSimulated = false }
    #expect(!state.showsSimulatedData)
    #expect(render(state).find("SIMULATED") == nil)
  }
}

@Suite("Connection to a remote core")
struct ConnectionUpdateTests {
  @Test("losing and regaining the core is written to the events pane once, with the reason")
  func transitions() {
    var state = Fixtures.state(width: 160, height: 48)
    _ = update(&state, .connection(.connected("127.0.0.1:8686")))
    #expect(state.market.events.first?.text == "✓ connected to 127.0.0.1:8686")
    let before = state.market.events.count
    _ = update(&state, .connection(.disconnected("127.0.0.1:8686", reason: "connection refused; retry 1 in 0.5 s")))
    #expect(state.market.events.count == before + 1)
    #expect(state.market.events.first?.text.hasPrefix("✗ disconnected from 127.0.0.1:8686: connection refused") == true)
    #expect(state.message?.isError == true)
    _ = update(&state, .connection(.disconnected("127.0.0.1:8686", reason: "connection refused; retry 2 in 1.0 s")))
    #expect(state.market.events.count == before + 1, "a retry that fails again adds no line")
    #expect(state.connection.badge == "DISCONNECTED 127.0.0.1:8686 · retrying")
    _ = update(&state, .connection(.connected("127.0.0.1:8686")))
    #expect(state.market.events.count == before + 2)
    #expect(state.connection.badge == nil)
  }

  @Test("a remote event line goes into the events pane as it is")
  func remoteLine() {
    var state = Fixtures.state(width: 160, height: 48)
    let line = EventLine(time: Fixtures.time, kind: .breaker, text: "sim-beta breaker closed → open: failure rate 60%")
    _ = update(&state, DashboardUpdate.eventLine(line).action)
    #expect(state.market.events.first == line)
  }

  @Test("the header shows the disconnected badge")
  func badge() {
    var state = Fixtures.state(width: 160, height: 48)
    _ = update(&state, .connection(.disconnected("10.0.0.5:8686", reason: "timed out")))
    #expect(render(state).lines().first?.contains("DISCONNECTED 10.0.0.5:8686 · retrying") == true)
  }
}
