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
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    let heard = Recorder<OperatorAction>()
    core.onOperatorAction { heard.append($0) }

    try core.tripProvider("p")
    try core.resetProvider("p")
    try core.setProviderEnabled("p", false)
    let original = core.watchlist(.luDongbin)
    let edited = try core.editWatchlist(.luDongbin, .toggle(Symbol("AAPL")))
    core.invalidate(.all)
    #expect(
      heard.values == [
        .trip("p"), .reset("p"), .setEnabled("p", false), .setWatchlist(.luDongbin, edited), .invalidate(.all),
      ])

    try core.apply(.setEnabled("p", true), fromInstance: "other")
    try core.apply(.trip("p"), fromInstance: "other")
    try core.apply(.setWatchlist(.luDongbin, original), fromInstance: "other")
    #expect(heard.count == 5)
    #expect(core.providerStatuses().first?.breaker.state == .forcedOpen)
    #expect(core.watchlist(.luDongbin) == original)
    #expect(core.recentEvents.contains { $0.summary == "provider p tripped by operator from instance other" })
  }

  @Test("an action naming a provider this instance lacks is a clear error, not a crash")
  func unknownProviderFromElsewhere() {
    let clock = ManualClock()
    let core = MarketDataCore(providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], clock: clock)
    #expect(throws: OperatorError.unknownProvider("q")) { try core.apply(.trip("q"), fromInstance: "other") }
  }
}
