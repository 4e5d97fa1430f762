import Foundation
import MarketCore
import MarketTesting
import Testing

/// History and profiles through the read pipeline: blocks, range merging, validation,
/// freshness, the simulated market's backfill.
@Suite("History and profiles")
struct HistoryTests {
  /// 2025-11-29 00:00 UTC, a Saturday.
  static let origin = Date(timeIntervalSince1970: 1_764_374_400)

  static func core(_ provider: some MarketDataProvider, clock: ManualClock) -> MarketDataCore {
    MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
  }

  static func request(_ symbol: Symbol, _ interval: BarInterval = .oneDay, _ range: HistoryRange) throws -> HistoryRequest {
    try HistoryRequest(symbol: symbol, interval: interval, window: .range(range))
  }

  @Test("a wider window fetches only what the narrower one lacked, in one upstream call per missing run")
  func rangeMerging() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "h", clock: clock)
    let core = Self.core(provider, clock: clock)
    let sixMonths = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .sixMonths))
    #expect(provider.callCount == 1)
    #expect(sixMonths.value.bars.count > 100)
    #expect(sixMonths.origin == .upstream)
    let firstCall = try #require(provider.calls.first)

    let oneYear = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .oneYear))
    #expect(provider.callCount == 2)
    let secondCall = try #require(provider.calls.last)
    // Only the older half was asked, and it ends where the first call began.
    #expect(secondCall.to == firstCall.from)
    #expect(secondCall.from < firstCall.from)
    #expect(oneYear.value.bars.count > sixMonths.value.bars.count * 19 / 10)
    let starts = oneYear.value.bars.map(\.start)
    #expect(starts == starts.sorted() && Set(starts).count == starts.count)

    // Asked again: memory, no call.
    let again = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .oneYear))
    #expect(provider.callCount == 2)
    #expect(again.value.bars == oneYear.value.bars)
  }

  @Test("100 concurrent callers of one missing range make one upstream call")
  func concurrentCallersShareOneCall() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let gate = Gate()
    let provider = ScriptedHistoryProvider(id: "h", clock: clock, gate: gate)
    let core = Self.core(provider, clock: clock)
    let request = try Self.request(Symbol("MSFT"), .oneDay, .threeMonths)
    try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<100 { group.addTask { try await core.history(request).value.bars.count } }
      // Whenever the others arrive, before the gate opens or after, they join the one flight
      // or find its answer in memory: either way no second call.
      await gate.waitForWaiters(1)
      gate.open()
      var counts = Set<Int>()
      for try await count in group { counts.insert(count) }
      #expect(counts.count == 1)
    }
    #expect(provider.callCount == 1)
  }

  @Test("settled blocks are kept for good; the current block refreshes like a quote")
  func freshness() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "h", clock: clock)
    let core = Self.core(provider, clock: clock)
    let request = try Self.request(Symbol("KO"), .oneDay, .threeMonths)
    _ = try await core.history(request)
    #expect(provider.callCount == 1)
    clock.advance(by: .seconds(120))
    let refreshed = try await core.history(request)
    // Past the current block's TTL: served stale while that one block is asked again.
    #expect(refreshed.isStale)
    await eventually { provider.callCount == 2 }
    let current = try #require(provider.calls.last)
    #expect(current.to - current.from <= 31 * 86_400, "a settled block was asked again")
  }

  @Test(
    "impossible bars are the provider's bad_data, never served",
    arguments: ["order", "duplicate", "low", "volume", "price"])
  func validation(_ defect: String) async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "liar", clock: clock) { symbol, interval, from, to in
      var answer = try await ScriptedHistoryProvider.weekdayBars(symbol, interval, from, to)
      guard answer.bars.count > 3 else { return answer }
      switch defect {
      case "order": answer.bars.swapAt(1, 2)
      case "duplicate": answer.bars[2].start = answer.bars[1].start
      case "low": answer.bars[1].low = answer.bars[1].open + 5
      case "volume": answer.bars[1].volume = -1
      default: answer.bars[1].close = 0
      }
      return answer
    }
    let core = Self.core(provider, clock: clock)
    let request = try Self.request(Symbol("AAPL"), .oneDay, .oneMonth)
    do throws(ReadError) {
      let served = try await core.history(request)
      Issue.record("served \(served.value.bars.count) bars with a \(defect) defect")
    } catch {
      guard case .allProvidersFailed(_, let failures) = error else {
        Issue.record("expected the provider's failure, got \(error)")
        return
      }
      #expect(failures.first?.error.errorClass == "bad_data")
    }
    #expect(core.recentEvents.contains { $0.summary.hasPrefix("rejected: ") })
  }

  @Test("bars outside the range asked are not taken into any block, and none is invented")
  func barsOutsideTheAskAreDropped() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "h", clock: clock) { symbol, interval, from, to in
      var answer = try await ScriptedHistoryProvider.weekdayBars(symbol, interval, from, to)
      answer.bars.insert(Bar(start: from - 3 * 86_400, open: 1, high: 1, low: 1, close: 1), at: 0)
      answer.bars.append(Bar(start: to + 86_400, open: 1, high: 1, low: 1, close: 1))
      return answer
    }
    let core = Self.core(provider, clock: clock)
    let series = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .oneMonth)).value
    #expect(!series.bars.contains { $0.close == 1 })
  }

  @Test("gaps are reported, not filled")
  func gaps() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "h", clock: clock) { symbol, interval, from, to in
      var answer = try await ScriptedHistoryProvider.weekdayBars(symbol, interval, from, to)
      // A whole week missing in the middle.
      let middle = answer.bars.count / 2
      if answer.bars.count > 10 { answer.bars.removeSubrange(middle..<(middle + 5)) }
      return answer
    }
    let core = Self.core(provider, clock: clock)
    let series = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .threeMonths)).value
    #expect(series.gaps.count == 1)
    let gap = try #require(series.gaps.first)
    #expect(gap.before - gap.after > 7 * 86_400)
    #expect(!series.bars.contains { $0.start > gap.after && $0.start < gap.before })
  }

  @Test("a provider without the interval is never asked for it")
  func capabilityPerInterval() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let daily = ScriptedHistoryProvider(id: "daily-only", clock: clock, intervals: [.oneDay])
    let core = Self.core(daily, clock: clock)
    await #expect(throws: ReadError.self) {
      try await core.history(HistoryRequest(symbol: Symbol("AAPL"), interval: .oneMinute, window: .range(.oneDay)))
    }
    #expect(daily.callCount == 0)
  }

  @Test("bad windows are typed errors before any provider is asked")
  func badWindows() throws {
    let later = try #require(HistoryRequest.day("2025-03-01"))
    let earlier = try #require(HistoryRequest.day("2025-01-01"))
    #expect(throws: HistoryRequestError.fromAfterTo(from: "2025-03-01", to: "2025-01-01")) {
      try HistoryRequest(symbol: Symbol("AAPL"), window: .dates(from: later, to: earlier))
    }
    let fifty = try #require(HistoryRequest.day("1975-01-01"))
    #expect(throws: HistoryRequestError.windowTooLong(interval: .oneMinute, maximumDays: 1_000)) {
      try HistoryRequest(symbol: Symbol("AAPL"), interval: .oneMinute, window: .dates(from: fifty, to: earlier))
    }
    #expect(HistoryRequest.day("2025-02-30") == nil)
    #expect(HistoryRequest.day("2025-1-01") == nil)
  }

  @Test("the simulated market's history is the same for a seed, differs for another, and ends at the live price")
  func simulatedHistory() async throws {
    func series(seed: UInt64) async throws -> (HistorySeries, ServedQuote) {
      let clock = ManualClock(wallOrigin: Self.origin.addingTimeInterval(86_400 * 3 + 15 * 3_600))
      clock.advance(by: .seconds(1_800))
      let market = SimulatedMarket(seed: seed)
      let provider = SimulatedProvider(id: "sim", market: market, clock: clock, behaviour: .perfect)
      let core = Self.core(provider, clock: clock)
      let history = try await core.history(Self.request(Symbol("NVDA"), .oneDay, .oneYear)).value
      return (history, try await core.quote(Symbol("NVDA")))
    }
    let (first, quote) = try await series(seed: 7)
    let (again, _) = try await series(seed: 7)
    let (other, _) = try await series(seed: 8)
    #expect(first.bars == again.bars)
    #expect(first.bars != other.bars)
    #expect(first.isSimulated)
    #expect(first.bars.count > 240 && first.bars.count < 270)
    #expect(first.bars.last?.close == quote.quote.price)
    #expect(first.bars.allSatisfy { $0.problem == nil })
    // Weekday sessions: no Saturday or Sunday bars for a share.
    #expect(first.bars.allSatisfy { ($0.start / 86_400 + 3) % 7 < 5 })
  }

  @Test("crypto trades every day; intraday bars of a day end at its daily close")
  func simulatedCalendars() async throws {
    let clock = ManualClock(wallOrigin: Self.origin.addingTimeInterval(86_400 * 3 + 22 * 3_600))
    let provider = SimulatedProvider(id: "sim", market: SimulatedMarket(seed: 3), clock: clock, behaviour: .perfect)
    let core = Self.core(provider, clock: clock)
    let bitcoin = try await core.history(Self.request(Symbol("BTC-USD"), .oneDay, .oneMonth)).value
    #expect(bitcoin.bars.count >= 30)
    #expect(bitcoin.gaps.isEmpty)
    let day = try await core.history(Self.request(Symbol("AAPL"), .oneDay, .fiveDays)).value
    let hours = try await core.history(HistoryRequest(symbol: Symbol("AAPL"), interval: .oneHour, window: .range(.fiveDays)))
      .value
    let yesterday = try #require(day.bars.dropLast().last)
    let lastHourOfYesterday = try #require(hours.bars.last { $0.start < yesterday.start + 86_400 })
    #expect(lastHourOfYesterday.close == yesterday.close)
  }

  @Test("profiles come through the pipeline and are believed for a day")
  func profiles() async throws {
    let clock = ManualClock(wallOrigin: Self.origin)
    let provider = ScriptedHistoryProvider(id: "h", clock: clock)
    let core = Self.core(provider, clock: clock)
    let first = try await core.profile(Symbol("AAPL"))
    #expect(first.value.name == "AAPL Inc.")
    clock.advance(by: .seconds(3_600))
    let second = try await core.profile(Symbol("AAPL"))
    #expect(second.origin == .memory)
    #expect(provider.profileCalls.count == 1)
    #expect(core.invalidate(.symbol(Symbol("AAPL"))) == 1)
  }
}
