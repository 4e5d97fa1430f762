import Foundation
import MarketCore

/// The fault schedule of `lianyaohu simulate --chaos-seed N`: phases of one length that
/// alternate between a fault and quiet, the faults' order and strength drawn from the seed, so
/// a chaos run repeats exactly and its report can name every fault with its time.
///
/// Phase 0 is quiet (the clients fill their caches first); then every odd phase is a fault and
/// every even one quiet, so each fault is followed by time to recover. Faults come in cycles of
/// five, each cycle a seeded shuffle of all five kinds, so every kind shows within ten phases.
struct ChaosSchedule: Hashable, Sendable {
  enum Fault: String, CaseIterable, Hashable, Sendable {
    /// Slow answers: a higher median, a long tail and stalls past most clients' timeouts.
    case latency
    /// HTTP 500 with OpenBB's "Unexpected error." detail.
    case errors
    /// The connection reset without an answer.
    case resets
    /// An HTML page with status 200, as a proxy in front of a sick server sends.
    case garbage
    /// HTTP 429 with a `Retry-After` header.
    case rateLimit = "rate-limit"
  }

  struct Phase: Hashable, Sendable {
    var index: Int
    /// `nil` in a quiet phase.
    var fault: Fault?
    /// Since the schedule began.
    var start: Duration
    var length: Duration
    /// The fraction of requests the fault hits (every request in a latency phase).
    var rate: Double
    /// The answer latency during a latency phase.
    var latency: SimulatedBehaviour.Latency?
    /// The `Retry-After` of a rate-limit phase, in whole seconds.
    var retryAfterSeconds: Int

    var kind: String { fault?.rawValue ?? "quiet" }
    var end: Duration { start + length }

    /// One line for a log or a report.
    var summary: String {
      let percent = "\(Int((rate * 100).rounded()))%"
      switch fault {
      case nil: return "no injected faults"
      case .latency?:
        let median = latency?.median.milliseconds ?? 0
        let p99 = latency?.p99.milliseconds ?? 0
        let stall = latency.map { Int(($0.stallProbability * 100).rounded()) } ?? 0
        return "latency median \(Int(median)) ms, p99 \(Int(p99)) ms, \(stall)% stalled 1.5-3 s"
      case .errors?: return "\(percent) of requests answered 500"
      case .resets?: return "\(percent) of connections reset"
      case .garbage?: return "\(percent) of requests answered an HTML page with 200"
      case .rateLimit?: return "\(percent) of requests answered 429 with Retry-After: \(retryAfterSeconds)"
      }
    }
  }

  let seed: UInt64
  let phaseLength: Duration

  /// `phaseLength` must be positive; the command validates it.
  init(seed: UInt64, phaseLength: Duration) {
    self.seed = seed
    self.phaseLength = max(phaseLength, .milliseconds(1))
  }

  /// The phase running `elapsed` after the schedule began (phase 0 before it began).
  func phase(at elapsed: Duration) -> Phase {
    guard elapsed > .zero else { return phase(0) }
    let index = elapsed.nanoseconds / phaseLength.nanoseconds
    return phase(Int(clamping: index))
  }

  /// Phase number `index`, the same for the same seed on every run and machine.
  func phase(_ index: Int) -> Phase {
    let index = max(0, index)
    var phase = Phase(
      index: index, fault: nil, start: phaseLength * index, length: phaseLength, rate: 0, latency: nil,
      retryAfterSeconds: 0)
    guard index % 2 == 1 else { return phase }
    let faultNumber = (index - 1) / 2
    var cycleRandom = SeededRandom(seed: SeededRandom.derivedSeed(seed, "chaos-cycle-\(faultNumber / 5)"))
    let fault = Fault.allCases.shuffled(using: &cycleRandom)[faultNumber % 5]
    var random = SeededRandom(seed: SeededRandom.derivedSeed(seed, "chaos-phase-\(index)"))
    phase.fault = fault
    switch fault {
    case .latency:
      let median = 200 + random.nextUnit() * 700
      phase.rate = 1
      phase.latency = SimulatedBehaviour.Latency(
        median: .milliseconds(Int64(median)), p99: .milliseconds(Int64(median * (2 + random.nextUnit()))),
        stallProbability: 0.1 + random.nextUnit() * 0.3, stall: .milliseconds(1500) ... .milliseconds(3000))
    case .errors, .resets:
      phase.rate = 0.6 + random.nextUnit() * 0.4
    case .garbage:
      phase.rate = 0.5 + random.nextUnit() * 0.5
    case .rateLimit:
      phase.rate = 0.6 + random.nextUnit() * 0.4
      phase.retryAfterSeconds = 2 + Int(random.nextUnit() * 4)
    }
    return phase
  }
}
