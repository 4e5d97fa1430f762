import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

@testable import lianyaohu

/// The chaos schedule of `lianyaohu simulate --chaos-seed N`: a chaos run is only repeatable,
/// and its report only true, if a seed always gives the same phases and the route carries
/// them out.
@Suite struct ChaosScheduleTests {
  let length = Duration.seconds(10)

  @Test func theSameSeedGivesTheSamePhases() {
    let first = ChaosSchedule(seed: 42, phaseLength: length)
    let second = ChaosSchedule(seed: 42, phaseLength: length)
    #expect((0..<60).map { first.phase($0) } == (0..<60).map { second.phase($0) })
    let other = ChaosSchedule(seed: 43, phaseLength: length)
    #expect((0..<60).map { first.phase($0) } != (0..<60).map { other.phase($0) })
  }

  @Test func faultsAlternateWithQuietAndEveryKindShowsInEachCycle() {
    for seed: UInt64 in [1, 2, 3, 1234] {
      let schedule = ChaosSchedule(seed: seed, phaseLength: length)
      #expect(schedule.phase(0).fault == nil)
      for index in stride(from: 2, to: 40, by: 2) { #expect(schedule.phase(index).fault == nil) }
      for cycle in 0..<3 {
        let kinds = Set((0..<5).compactMap { schedule.phase(1 + 2 * (cycle * 5 + $0)).fault })
        #expect(kinds == Set(ChaosSchedule.Fault.allCases))
      }
    }
  }

  @Test func phasesFollowTheClockAndCarryTheirStrength() {
    let schedule = ChaosSchedule(seed: 7, phaseLength: length)
    #expect(schedule.phase(at: .seconds(-1)).index == 0)
    #expect(schedule.phase(at: .milliseconds(9_999)).index == 0)
    #expect(schedule.phase(at: .seconds(10)).index == 1)
    #expect(schedule.phase(at: .seconds(125)).index == 12)
    #expect(schedule.phase(3).start == .seconds(30))
    #expect(schedule.phase(3).end == .seconds(40))
    for index in 0..<40 {
      let phase = schedule.phase(index)
      switch phase.fault {
      case nil: #expect(phase.rate == 0)
      case .latency?:
        let latency = phase.latency
        #expect(latency.map { $0.median >= .milliseconds(200) && $0.p99 > $0.median } == true)
      case .rateLimit?:
        #expect((2...5).contains(phase.retryAfterSeconds))
        #expect((0.6...1).contains(phase.rate))
      case .errors?, .resets?, .garbage?:
        #expect((0.5...1).contains(phase.rate))
      }
    }
  }

  @Test func theRouteCarriesOutEachPhaseAndCountsIt() throws {
    let clock = ManualClock()
    let schedule = ChaosSchedule(seed: 5, phaseLength: length)
    let route = SimulatedOpenBB(
      market: SimulatedMarket(seed: 8), behaviour: SimulatedBehaviour(latency: .instant), clock: clock, seed: 8,
      chaos: schedule)
    let target = "/api/v1/equity/price/quote?symbol=AAPL&provider=fmp"
    func plans(in index: Int) -> [SimulatedOpenBB.Plan] {
      clock.advance(to: route.chaosOrigin + schedule.phase(index).start + .seconds(1))
      return (0..<200).map { _ in route.plan(method: "GET", uri: target) }
    }
    func isOK(_ plan: SimulatedOpenBB.Plan) -> Bool {
      if case .reply(let reply, _) = plan { return reply.status == 200 && reply.contentType == "application/json" }
      return false
    }
    #expect(plans(in: 0).allSatisfy(isOK))
    #expect(route.takeChaosTally(phase: 0) == .init(requests: 200, faulted: 0))
    for index in 1..<11 {
      let phase = schedule.phase(index)
      let seen = plans(in: index)
      let faulted = seen.filter { !isOK($0) }
      switch phase.fault {
      case nil: #expect(faulted.isEmpty)
      case .latency?: #expect(seen.contains { if case .reply(_, let delay) = $0 { delay >= .milliseconds(100) } else { false } })
      case .errors?: #expect(faulted.allSatisfy { if case .reply(let reply, _) = $0 { reply.status == 500 } else { false } })
      case .resets?: #expect(faulted.allSatisfy { $0 == .reset })
      case .garbage?:
        #expect(
          faulted.allSatisfy {
            if case .reply(let reply, _) = $0 { reply.contentType?.hasPrefix("text/html") == true } else { false }
          })
      case .rateLimit?:
        #expect(
          faulted.allSatisfy {
            if case .reply(let reply, _) = $0 {
              reply.status == 429 && reply.retryAfterSeconds == phase.retryAfterSeconds
            } else {
              false
            }
          })
      }
      if let fault = phase.fault, fault != .latency {
        // 200 draws at a rate of at least one half: far from none and far from all but the rate.
        #expect(Double(faulted.count) > phase.rate * 200 - 40)
        #expect(Double(faulted.count) < phase.rate * 200 + 40)
      }
      let tally = route.takeChaosTally(phase: index)
      #expect(tally.requests == 200)
      #expect(tally.faulted == (phase.fault == .latency ? 200 : faulted.count))
    }
  }

  @Test(.timeLimit(.minutes(1))) func aRateLimitPhaseReachesTheAdapterWithItsRetryAfter() async throws {
    let clock = ManualClock()
    let schedule = ChaosSchedule(seed: 5, phaseLength: length)
    let phase = try #require((0..<20).map { schedule.phase($0) }.first { $0.fault == .rateLimit })
    let route = SimulatedOpenBB(
      market: SimulatedMarket(seed: 8), behaviour: SimulatedBehaviour(latency: .instant), clock: clock, seed: 8,
      chaos: schedule)
    clock.advance(to: route.chaosOrigin + phase.start + .seconds(1))
    let server = try await SimulateServer.start(host: "127.0.0.1", port: 0, route: route)
    let transport = HTTPTransport(configuration: HTTPTransport.Configuration())
    let provider = HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: server.origin, backend: "fmp"), transport: transport, timeout: .generousTimeout,
      clock: SystemClock())
    var limited: ProviderError?
    for _ in 0..<40 where limited == nil {
      do {
        _ = try await provider.quote(for: Symbol("AAPL"))
      } catch let error as ProviderError {
        if case .rateLimited = error { limited = error }
      }
    }
    try? await transport.shutdown()
    await server.shutdown()
    #expect(limited == .rateLimited(retryAfter: .seconds(phase.retryAfterSeconds)))
  }

  @Test func eachPhaseIsLoggedOnOneParsableLine() {
    let phase = ChaosSchedule(seed: 9, phaseLength: length).phase(1)
    let line = ChaosLogService.startLine(phase, at: Date(timeIntervalSince1970: 1_764_374_410))
    #expect(line.hasPrefix("chaos phase=1 kind=\(phase.kind) start_s=10.000 end_s=20.000 at=2025-11-29T00:00:10.000Z "))
    #expect(line.hasSuffix("detail=\"\(phase.summary)\""))
    #expect(ChaosLogService.endLine(1, .init(requests: 9, faulted: 4)) == "chaos phase=1 ended requests=9 faulted=4")
  }
}
