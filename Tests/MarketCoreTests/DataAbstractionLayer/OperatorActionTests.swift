import Foundation
import MarketCore
import MarketTesting
import Testing

/// Operator actions as a cluster bus sees them: local ones announced once, remote ones
/// applied and never announced again.
@Suite("Operator actions across instances")
struct OperatorActionTests {
  @Test("local actions reach the listeners; actions from another instance are applied but not passed on")
  func echoFree() async throws {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "p", clock: clock)
    let core = DataAbstractionLayer(providers: [ProviderRegistration(provider)], clock: clock)
    let heard = Recorder<OperatorAction>()
    core.onOperatorAction { heard.append($0) }

    try core.tripProvider("p")
    try core.resetProvider("p")
    try core.setProviderEnabled("p", false)
    try core.editWatchlist(.luDongbin, .toggle(Symbol("AAPL")))
    core.invalidate(.all)
    #expect(
      heard.values == [
        .trip("p"), .reset("p"), .setEnabled("p", false), .editWatchlist(.luDongbin, .toggle(Symbol("AAPL"))),
        .invalidate(.all),
      ])

    try core.apply(.setEnabled("p", true), fromInstance: "other")
    try core.apply(.trip("p"), fromInstance: "other")
    try core.apply(.editWatchlist(.luDongbin, .toggle(Symbol("AAPL"))), fromInstance: "other")
    #expect(heard.count == 5)
    #expect(core.providerStatuses().first?.breaker.state == .forcedOpen)
    #expect(core.watchlists[.luDongbin].activeSymbols.contains(Symbol("AAPL")))
    #expect(core.events.recent.contains { $0.summary == "provider p tripped by operator from instance other" })
  }

  @Test("an action naming a provider this instance lacks is a clear error, not a crash")
  func unknownProviderFromElsewhere() {
    let clock = ManualClock()
    let core = DataAbstractionLayer(providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], clock: clock)
    #expect(throws: OperatorError.unknownProvider("q")) { try core.apply(.trip("q"), fromInstance: "other") }
    #expect(throws: OperatorError.watchlist(.notOnWatchlist(Symbol("ZZZ")))) {
      try core.apply(.editWatchlist(.luDongbin, .remove(Symbol("ZZZ"))), fromInstance: "other")
    }
  }
}
