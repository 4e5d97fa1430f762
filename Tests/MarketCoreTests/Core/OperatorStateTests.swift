import Foundation
import MarketCore
import MarketTesting
import Testing

/// The versions of operator state: a hybrid logical clock's ordering and merge rules, the
/// ledger that keeps each subject's newest value, and the core applying only newer ones.
@Suite("Operator state versions")
struct OperatorStateTests {
  static let noon = Date(timeIntervalSince1970: 1_764_417_600)

  static func at(_ milliseconds: Int64) -> Date {
    noon.addingTimeInterval(Double(milliseconds) / 1000)
  }

  static func stamp(_ wall: Int64, _ counter: Int64 = 0, _ instance: String = "a") -> HybridTimestamp {
    HybridTimestamp(wallMilliseconds: 1_764_417_600_000 + wall, counter: counter, instance: instance)
  }

  @Test("wall time first, then the counter, then the instance id byte by byte")
  func ordering() {
    #expect(Self.stamp(1, 9, "z") < Self.stamp(2, 0, "a"))
    #expect(Self.stamp(2, 0, "z") < Self.stamp(2, 1, "a"))
    #expect(Self.stamp(2, 1, "a") < Self.stamp(2, 1, "b"))
    // Bytes, not a locale's collation: upper case sorts before lower case, a prefix first.
    #expect(Self.stamp(2, 1, "B") < Self.stamp(2, 1, "a"))
    #expect(Self.stamp(2, 1, "host") < Self.stamp(2, 1, "host-2"))
    #expect(!(Self.stamp(2, 1, "a") < Self.stamp(2, 1, "a")))
  }

  @Test("a local event takes the wall time, or counts on while the wall clock has not passed the last reading")
  func tick() {
    let start = HybridTimestamp.start(instance: "a")
    let first = start.tick(now: Self.at(0))
    #expect(first == Self.stamp(0, 0))
    let sameMillisecond = first.tick(now: Self.at(0))
    #expect(sameMillisecond == Self.stamp(0, 1))
    // The wall clock stepped back: the clock does not, it counts on.
    let clockBack = sameMillisecond.tick(now: Self.at(-5_000))
    #expect(clockBack == Self.stamp(0, 2))
    #expect(clockBack > sameMillisecond)
    let later = clockBack.tick(now: Self.at(10))
    #expect(later == Self.stamp(10, 0))
  }

  @Test("a remote reading moves the clock past both, in this instance's name")
  func receive() {
    let local = Self.stamp(100, 3, "a")
    // Remote ahead of both clocks: its wall time, its counter plus one.
    #expect(local.receive(Self.stamp(200, 7, "b"), now: Self.at(150)) == Self.stamp(200, 8, "a"))
    // Local ahead: local wall, local counter plus one.
    #expect(local.receive(Self.stamp(50, 9, "b"), now: Self.at(20)) == Self.stamp(100, 4, "a"))
    // Same wall time: the greater counter plus one.
    #expect(local.receive(Self.stamp(100, 9, "b"), now: Self.at(100)) == Self.stamp(100, 10, "a"))
    #expect(local.receive(Self.stamp(100, 1, "b"), now: Self.at(99)) == Self.stamp(100, 4, "a"))
    // The wall clock past both: counter back to zero.
    #expect(local.receive(Self.stamp(200, 7, "b"), now: Self.at(300)) == Self.stamp(300, 0, "a"))
    // Whatever happens, the result is after both readings.
    for remote in [Self.stamp(200, 7, "b"), Self.stamp(50, 9, "b"), Self.stamp(100, 3, "z")] {
      let merged = local.receive(remote, now: Self.at(0))
      #expect(merged > local && merged > remote)
    }
  }

  @Test("versions travel as JSON with short keys")
  func coding() throws {
    let data = try JSONEncoder().encode(Self.stamp(0, 2, "b"))
    #expect(String(decoding: data, as: UTF8.self).contains(#""wall":1764417600000"#))
    #expect(try JSONDecoder().decode(HybridTimestamp.self, from: data) == Self.stamp(0, 2, "b"))
  }

  @Test("subjects name the fields of the stored hash, and read back from them")
  func subjects() {
    let subjects: [OperatorSubject] = [.breaker("openbb"), .enabled("sim-alpha"), .watchlist(.luDongbin)]
    #expect(subjects.map(\.field) == ["provider:openbb:breaker", "provider:sim-alpha:enabled", "watchlist:lu-dongbin"])
    #expect(subjects.map { OperatorSubject(field: $0.field) } == subjects)
    for field in ["provider::breaker", "provider:x:colour", "watchlist:zhong-kui", "quote:AAPL"] {
      #expect(OperatorSubject(field: field) == nil)
    }
    #expect(OperatorAction.trip("p").subject == .breaker("p"))
    #expect(OperatorAction.reset("p").subject == .breaker("p"))
    #expect(OperatorAction.invalidate(.all).subject == nil)
  }

  @Test("the ledger keeps the newest value of each subject and says when a pending local one lost")
  func ledger() {
    var ledger = OperatorLedger(instance: "a")
    let trip = ledger.recordLocal(.trip("p"), now: Self.at(0))
    #expect(trip == Self.stamp(0, 0, "a"))
    #expect(ledger.recordLocal(.invalidate(.all), now: Self.at(1)) == nil)
    #expect(ledger.entries[.breaker("p")]?.isPending == true)

    // Older than the local trip: ignored.
    let stale = ledger.admit(.reset("p"), version: Self.stamp(-10, 0, "b"), now: Self.at(1))
    #expect(stale == .stale(current: OperatorLedger.Entry(action: .trip("p"), version: Self.stamp(0), isPending: true)))
    // Same time and counter, but "b" sorts after "a": it wins, and the pending trip lost.
    let newer = ledger.admit(.reset("p"), version: Self.stamp(0, 0, "b"), now: Self.at(1))
    #expect(newer == .newer(lostPending: OperatorLedger.Entry(action: .trip("p"), version: Self.stamp(0), isPending: true)))
    #expect(ledger.entries[.breaker("p")]?.action == .reset("p"))
    #expect(ledger.entries[.breaker("p")]?.isPending == false)
    // The clock has heard of the remote version: the next local one is after it.
    let disable = ledger.recordLocal(.setEnabled("p", false), now: Self.at(0))
    #expect(disable.map { $0 > Self.stamp(0, 0, "b") } == true)
    // Stored: pending no more; a stored note of another version changes nothing.
    if let disable {
      ledger.stored(.enabled("p"), version: Self.stamp(-1))
      #expect(ledger.entries[.enabled("p")]?.isPending == true)
      ledger.stored(.enabled("p"), version: disable)
      #expect(ledger.entries[.enabled("p")]?.isPending == false)
    }
    // A newer value replacing one that is not pending is no conflict.
    #expect(ledger.admit(.setEnabled("p", true), version: Self.stamp(500, 0, "c"), now: Self.at(1)) == .newer(lostPending: nil))
  }

  @Test("the core applies another instance's action only when newer, and reports a lost local action")
  func coreAppliesNewerOnly() throws {
    let clock = ManualClock(wallOrigin: Self.noon)
    var configuration = CoreConfiguration()
    configuration.instanceID = "a"
    let core = MarketDataCore(
      providers: [ProviderRegistration(ScriptedProvider(id: "p", clock: clock))], configuration: configuration,
      clock: clock)
    let heard = Recorder<HybridTimestamp?>()
    core.onVersionedOperatorAction { _, version in heard.append(version) }

    try core.tripProvider("p")
    core.invalidate(.all)
    #expect(heard.values == [Self.stamp(0, 0, "a"), nil])
    #expect(core.operatorState[.breaker("p")]?.isPending == true)

    // A reset stamped before the trip arrives late: ignored.
    #expect(try !core.apply(.reset("p"), fromInstance: "b", version: Self.stamp(-1, 0, "b")))
    #expect(core.providerStatuses().first?.breaker.state == .forcedOpen)
    // Without a version (an older instance) it is applied as before.
    #expect(try core.apply(.reset("p"), fromInstance: "old", version: nil))
    #expect(core.providerStatuses().first?.breaker.state == .closed)
    // A newer trip from Redis is applied and announced as reconciled; the local (pending)
    // trip it replaces is a conflict.
    #expect(try core.reconcile(.trip("p"), version: Self.stamp(5, 0, "b"), from: "Redis"))
    #expect(core.providerStatuses().first?.breaker.state == .forcedOpen)
    #expect(core.recentEvents.contains { $0.summary == "reconciled: provider p tripped by b (from Redis)" })
    #expect(
      core.recentEvents.contains {
        $0.summary.hasPrefix("conflict: provider p tripped here (1764417600000.0@a) lost to provider p tripped by b")
      })
    // Applying it again changes nothing and says nothing more.
    let events = core.recentEvents.count
    #expect(try !core.reconcile(.trip("p"), version: Self.stamp(5, 0, "b"), from: "Redis"))
    #expect(core.recentEvents.count == events)
    // Neither was passed on to the listeners.
    #expect(heard.count == 2)
  }
}
