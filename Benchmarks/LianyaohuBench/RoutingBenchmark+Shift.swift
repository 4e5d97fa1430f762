import Foundation
import MarketCore
import Synchronization

/// `routing --shift-after N`: does the default hedging policy find its figures again after
/// the providers' latency changes shape? The run starts on the log-normal model; after N
/// seconds every provider switches to the stalls model (same median and p99, a different
/// tail), and each 5-second window is held to that model's figures.
extension RoutingBenchmark {
  static let windowSeconds = 5

  struct Reference {
    var singleP99: Double
    var bound: Double
  }

  func runShift(after switchSeconds: Int) async throws {
    print(
      "routing shift: the default policy, \(concurrency) in flight, 3 providers; log-normal for \(switchSeconds) s, "
        + "then stalls for \(shiftFor) s (median \(Int(medianMilliseconds)) ms, p99 \(Int(p99Milliseconds)) ms, "
        + "\(errorRate * 100)% errors)")
    var references: [String: Reference] = [:]
    for model in ["lognormal", "stalls"] {
      let single = try await measure("single provider (\(model))", policy: .failover, providers: 1, model: model)
      let bound = Self.bestSingleHedgeP99(single.latencies, extraRequests: Self.allowedExtraRequests)
      references[model] = Reference(singleP99: single.p99, bound: bound)
      print(
        "\(model): single provider p99 \(String(format: "%.1f", single.p99)) ms, bound \(String(format: "%.1f", bound)) ms")
    }

    let total = switchSeconds + shiftFor
    // More distinct symbols than the run can use (every quote must be a cache miss).
    let (core, simulated, symbols) = makeCore(
      policy: .hedgedDefault, providers: 3, model: "lognormal", listings: concurrency * 40 * (total + 5))
    let stalls = latencyModel("stalls")
    // Warm, as in the table, so the first window measures the policy, not a cold start.
    let firstMeasured = warmup
    _ = await Self.run(core, Array(symbols[0..<warmup]), concurrency: concurrency)
    let start = ContinuousClock.now
    let windows = (total + Self.windowSeconds - 1) / Self.windowSeconds
    final class Counts: Sendable { let calls: Mutex<[Int]> = Mutex([]) }
    let counted = Counts()
    counted.calls.withLock { $0 = [Int](repeating: 0, count: windows + 1) }

    let samples = await withTaskGroup(of: [(Double, Double)].self) { group in
      group.addTask {
        // The switch, and the upstream call count at every window boundary.
        for window in 0...windows {
          try? await Task.sleep(until: start + .seconds(window * Self.windowSeconds), clock: .continuous)
          let count = simulated.reduce(0) { $0 + $1.callCount }
          counted.calls.withLock { $0[window] = count }
          if window * Self.windowSeconds == switchSeconds {
            for provider in simulated { provider.currentBehaviour.latency = stalls }
          }
        }
        return []
      }
      let cursor = Cursor()
      cursor.next.store(firstMeasured, ordering: .relaxed)
      let end = start + .seconds(total)
      for _ in 0..<concurrency {
        group.addTask {
          // (start offset s, latency ms) per quote
          var samples: [(Double, Double)] = []
          while true {
            let index = cursor.next.add(1, ordering: .relaxed).oldValue
            let began = ContinuousClock.now
            guard index < symbols.count, began < end else { break }
            _ = try? await core.quote(symbols[index])
            samples.append(((began - start).seconds, (ContinuousClock.now - began).milliseconds))
          }
          return samples
        }
      }
      var all: [(Double, Double)] = []
      for await part in group { all += part }
      return all
    }

    var byWindow = [[Double]](repeating: [], count: windows)
    for (offset, latency) in samples {
      let window = min(windows - 1, Int(offset) / Self.windowSeconds)
      byWindow[window].append(latency)
    }
    let counts = counted.calls.withLock { $0 }
    print("| window s | model | quotes | p99 ms | p99 / bound | p99 / single p99 | requests per quote | within |")
    print("|---|---|---|---|---|---|---|---|")
    var recoveredAt: Int?
    for window in 0..<windows {
      let from = window * Self.windowSeconds
      let model = from < switchSeconds ? "lognormal" : "stalls"
      guard let reference = references[model] else { continue }
      let sorted = byWindow[window].sorted()
      let p99 = Self.percentile(sorted, 0.99)
      let requests = Double(counts[window + 1] - counts[window]) / Double(max(1, sorted.count))
      let within =
        p99 <= reference.bound * 1.15 && p99 <= reference.singleP99 * 0.5
        && requests <= 1 + Self.allowedExtraRequests
      if from >= switchSeconds {
        if within { recoveredAt = recoveredAt ?? from - switchSeconds } else { recoveredAt = nil }
      }
      print(
        "| \(from)-\(from + Self.windowSeconds) | \(model) | \(sorted.count) | \(String(format: "%.1f", p99)) | "
          + "\(String(format: "%.2f", p99 / reference.bound)) | \(String(format: "%.2f", p99 / reference.singleP99)) | "
          + "\(String(format: "%.3f", requests)) | \(within ? "yes" : "no") |")
    }
    if let recoveredAt {
      print(
        "after the switch, every window from +\(recoveredAt) s to +\(shiftFor) s is within the figures "
          + "(recovered within \(recoveredAt + Self.windowSeconds) s)")
    } else {
      print("after the switch, the last window is NOT within the figures")
    }
  }
}
