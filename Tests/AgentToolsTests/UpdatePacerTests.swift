import MarketCore
import Testing

@testable import AgentTools

@Suite("At most one update notification per second per resource")
struct UpdatePacerTests {
  private func at(_ milliseconds: Int64) -> MarketInstant { MarketInstant(nanoseconds: milliseconds * 1_000_000) }

  /// Offers each (key, time) in turn and returns the decisions (`#expect` takes no mutating calls).
  private func offers(_ pacer: inout UpdatePacer<String>, _ steps: [(String, Int64)]) -> [UpdatePacer<String>.Decision] {
    steps.map { pacer.offer($0.0, at: at($0.1)) }
  }

  @Test("the first update goes at once, later ones fold into one at the end of the second")
  func folding() {
    var pacer = UpdatePacer<String>(interval: .seconds(1))
    let first = offers(&pacer, [("AAPL", 0), ("AAPL", 100), ("AAPL", 900), ("NVDA", 900)])
    #expect(first == [.sendNow, .sendAt(at(1000)), .folded, .sendNow], "each resource is paced on its own")
    let fired = pacer.fire("AAPL", at: at(1000))
    let firedAgain = pacer.fire("AAPL", at: at(1000))
    #expect(fired && !firedAgain, "a scheduled notification fires once")
    let second = offers(&pacer, [("AAPL", 1500)])
    #expect(second == [.sendAt(at(2000))])
    let secondFired = pacer.fire("AAPL", at: at(2000))
    #expect(secondFired)
    let later = offers(&pacer, [("AAPL", 3500)])
    #expect(later == [.sendNow])
  }

  @Test("forgetting a resource drops its schedule")
  func forget() {
    var pacer = UpdatePacer<String>(interval: .seconds(1))
    let decisions = offers(&pacer, [("AAPL", 0), ("AAPL", 10)])
    #expect(decisions == [.sendNow, .sendAt(at(1000))])
    pacer.forget("AAPL")
    let fired = pacer.fire("AAPL", at: at(1000))
    #expect(!fired)
    let fresh = offers(&pacer, [("AAPL", 20)])
    #expect(fresh == [.sendNow])
  }
}
