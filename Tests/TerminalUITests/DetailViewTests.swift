import Foundation
import MarketCore
import Testing

@testable import TerminalUI

@Suite("The detail view: keys, loads and their failures")
struct DetailViewTests {
  static let request3mo = try? HistoryRequest(symbol: DetailFixtures.symbol, interval: .oneDay, window: .range(.threeMonths))

  @Test("Enter on a symbol opens its detail view and asks for its series and profile, off the loop")
  func open() throws {
    var state = Fixtures.state(width: 120, height: 40)
    let effects = Fixtures.press([.enter], &state)
    let request = try #require(Self.request3mo)
    #expect(effects == [.loadHistory(request), .loadProfile(DetailFixtures.symbol)])
    #expect(state.detail?.symbol == DetailFixtures.symbol)
    #expect(state.detail?.series == .loading)
    #expect(state.activeScopes == [.detail])
    #expect(render(state).find("loading AAPL: 3mo of 1d bars…") != nil, "the view says it is loading")
  }

  @Test("Enter opens the symbol selected in the focused pane")
  func opensSelection() {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("2"), .down, .down, .enter], &state)
    #expect(state.detail?.symbol == Symbol("VTI"))
  }

  @Test("→ and ← change the window with its usual interval and load it; the ends say so")
  func windowChange() throws {
    var state = DetailFixtures.state(width: 120, height: 40)
    let sixMonths = try HistoryRequest(symbol: DetailFixtures.symbol, window: .range(.sixMonths))
    var effects = Fixtures.press([.right], &state)
    #expect(state.detail?.range == .sixMonths)
    #expect(state.detail?.interval == .oneDay)
    #expect(state.detail?.series == .loading)
    #expect(effects == [.loadHistory(sixMonths)])
    effects = Fixtures.press([.character("h"), .left, .left, .left], &state)
    #expect(state.detail?.range == .oneDay)
    #expect(state.detail?.interval == .fiveMinutes)
    #expect(effects.count == 4)
    effects = Fixtures.press([.left], &state)
    #expect(effects.isEmpty)
    #expect(state.message?.text == "the shortest window already")
    #expect(state.detail?.profile.value != nil, "the profile stays while the window changes")
  }

  @Test("i and I step through the intervals that suit the window")
  func intervalChange() throws {
    var state = DetailFixtures.state(width: 120, height: 40)
    let weekly = try HistoryRequest(symbol: DetailFixtures.symbol, interval: .oneWeek, window: .range(.threeMonths))
    var effects = Fixtures.press([.character("i")], &state)
    #expect(state.detail?.interval == .oneWeek)
    #expect(effects == [.loadHistory(weekly)])
    effects = Fixtures.press([.character("i")], &state)
    #expect(state.detail?.interval == .oneWeek, "monthly bars over three months are too few to chart")
    #expect(effects.isEmpty)
    Fixtures.press([.character("I"), .character("I")], &state)
    #expect(state.detail?.interval == .oneHour)
    #expect(DetailView.intervals(for: .threeMonths) == [.fifteenMinutes, .thirtyMinutes, .oneHour, .oneDay, .oneWeek])
  }

  @Test("an answer for a request no longer shown is dropped")
  func staleAnswerIgnored() throws {
    var state = Fixtures.state(width: 120, height: 40)
    let first = Fixtures.press([.enter], &state)
    Fixtures.press([.right], &state)
    guard case .loadHistory(let old) = first.first else { throw CancellationError() }
    _ = update(&state, .historyLoaded(old, .success(DetailFixtures.servedSeries())))
    #expect(state.detail?.series == .loading)
  }

  @Test("a failed load shows its class and reason in the view and r tries again")
  func failedLoad() throws {
    var state = Fixtures.state(width: 120, height: 40)
    let effects = Fixtures.press([.enter], &state)
    guard case .loadHistory(let request) = effects.first else { throw CancellationError() }
    let error = DetailLoadError(errorClass: "upstream_failed", reason: "every provider failed for AAPL: sim-alpha timed out")
    #expect(update(&state, .historyLoaded(request, .failure(error))).isEmpty)
    _ = update(&state, .profileLoaded(DetailFixtures.symbol, .failure(.notAvailable("a profile"))))
    #expect(state.detail?.series == .failed(error))
    let screen = render(state)
    #expect(screen.find("✗ history unavailable: upstream_failed") != nil)
    #expect(screen.find("every provider failed for AAPL: sim-alpha timed out") != nil)
    #expect(screen.find("✗ not_available") != nil)
    #expect(Fixtures.press([.character("r")], &state) == [.loadHistory(request), .loadProfile(DetailFixtures.symbol)])
    #expect(state.detail?.series == .loading)
  }

  @Test("Esc and Backspace go back to the panes, focus unchanged; late answers are dropped")
  func back() throws {
    for key in [Key.escape, .backspace] {
      var state = DetailFixtures.state(width: 120, height: 40)
      Fixtures.press([key], &state)
      #expect(state.detail == nil)
      #expect(state.focus == .immortal(.luDongbin))
      #expect(state.activeScopes == [.immortal, .global])
      _ = update(&state, .profileLoaded(DetailFixtures.symbol, .success(DetailFixtures.servedProfile())))
      #expect(state.detail == nil)
    }
  }

  @Test("keys of the panes do nothing in the detail view; q still quits and ? shows help over it")
  func scopes() {
    var state = DetailFixtures.state(width: 120, height: 40)
    #expect(Fixtures.press([.tab, .character("3"), .character("w"), .character("c")], &state).isEmpty)
    #expect(state.overlay == nil)
    #expect(state.focus == .immortal(.luDongbin))
    Fixtures.press([.character("?")], &state)
    #expect(state.overlay == .help)
    Fixtures.press([.escape], &state)
    #expect(state.overlay == nil)
    #expect(state.detail != nil, "closing help returns to the detail view")
    #expect(Fixtures.press([.character("q")], &state) == [.quit])
  }

  @Test("the first snapshot asks for intraday history, and the answer fills the sparklines")
  func sparklinesStartFull() throws {
    var state = DashboardState(size: TerminalSize(width: 120, height: 40), now: Fixtures.time)
    let effects = update(&state, .snapshot(Fixtures.snapshot()))
    guard case .loadSparklines(let symbols) = effects.first else { throw CancellationError() }
    #expect(symbols.first == DetailFixtures.symbol)
    #expect(Set(symbols).count == symbols.count)
    #expect(update(&state, .snapshot(Fixtures.snapshot())).isEmpty, "only the first look asks")
    let closes = DetailFixtures.series().bars.suffix(QuoteRow.sparklineCapacity).map(\.close)
    _ = update(&state, .sparklineHistory([DetailFixtures.symbol: closes]))
    #expect(state.market.quotes[DetailFixtures.symbol]?.history.count == QuoteRow.sparklineCapacity)
  }

  @Test("history that arrives before a symbol's first quote waits for it")
  func historyBeforeTheFirstQuote() {
    var state = DashboardState(size: TerminalSize(width: 120, height: 40), now: Fixtures.time)
    let closes = DetailFixtures.series().bars.suffix(QuoteRow.sparklineCapacity).map(\.close)
    _ = update(&state, .sparklineHistory([DetailFixtures.symbol: closes]))
    #expect(state.market.quotes[DetailFixtures.symbol] == nil)
    _ = update(&state, .snapshot(Fixtures.snapshot()))
    #expect(state.market.quotes[DetailFixtures.symbol]?.history.count == QuoteRow.sparklineCapacity)
  }

  @Test("a symbol a watchlist edit brings in asks for its history once")
  func watchlistEditAsksForNewSymbolsOnly() {
    var state = DashboardState(size: TerminalSize(width: 120, height: 40), now: Fixtures.time)
    _ = update(&state, .snapshot(Fixtures.snapshot()))
    var lists = state.market.watchlists
    let added = Symbol("ZZZZ")
    lists[.heXiangu] = Watchlist(symbols: lists[.heXiangu, default: Watchlist(symbols: [])].activeSymbols + [added])
    #expect(update(&state, .watchlists(lists)) == [.loadSparklines([added])])
    #expect(update(&state, .watchlists(lists)).isEmpty)
  }

  @Test("a source without history says so rather than failing")
  func sourceWithoutHistory() async throws {
    struct Bare: DashboardDataSource {
      func snapshot() async -> DashboardSnapshot { Fixtures.snapshot() }
      func updates() -> AsyncStream<DashboardUpdate> { AsyncStream { $0.finish() } }
      func perform(_ command: OperatorCommand) async -> Result<String, OperatorCommandError> { .success("") }
    }
    let request = try #require(Self.request3mo)
    #expect(await Bare().history(request) == .failure(.notAvailable("history")))
    #expect(await Bare().sparklineHistory([DetailFixtures.symbol]).isEmpty)
  }
}
