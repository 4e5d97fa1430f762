import Foundation
import MarketCore
import ServiceLifecycle

/// Announces each chaos phase as it starts, and what the one before it did, one line each on
/// standard output: the record a chaos run's report is built from.
///
///     chaos phase=3 kind=errors start_s=30.000 end_s=40.000 at=2026-01-05T10:00:30.000Z rate=0.85 retry_after_s=0 detail="85% of requests answered 500"
///     chaos phase=3 ended requests=120 faulted=102
struct ChaosLogService: Service {
  let route: SimulatedOpenBB
  let schedule: ChaosSchedule
  let write: @Sendable (String) -> Void

  func run() async throws {
    await cancelWhenGracefulShutdown {
      var index = 0
      while !Task.isCancelled {
        let phase = schedule.phase(index)
        do {
          try await route.clock.sleep(until: route.chaosOrigin + phase.start)
        } catch {
          return
        }
        if index > 0 { write(Self.endLine(index - 1, route.takeChaosTally(phase: index - 1))) }
        write(Self.startLine(phase, at: route.clock.wallTime(at: route.chaosOrigin + phase.start)))
        index += 1
      }
    }
  }

  static func startLine(_ phase: ChaosSchedule.Phase, at wallTime: Date) -> String {
    "chaos phase=\(phase.index) kind=\(phase.kind) start_s=\(seconds(phase.start)) end_s=\(seconds(phase.end)) "
      + "at=\(NaiveUTCTime.format(wallTime, fractionDigits: 3))Z rate=\((phase.rate * 100).rounded() / 100) "
      + "retry_after_s=\(phase.retryAfterSeconds) detail=\"\(phase.summary)\""
  }

  static func endLine(_ index: Int, _ tally: SimulatedOpenBB.ChaosTally) -> String {
    "chaos phase=\(index) ended requests=\(tally.requests) faulted=\(tally.faulted)"
  }

  private static func seconds(_ duration: Duration) -> String {
    String(format: "%.3f", duration.seconds)
  }
}
