import Foundation

/// Runs a body several times and reports the median, so one noisy run (the other core busy)
/// does not decide the figure.
struct Measurement {
  var name: String
  var samples: [Double]
  var unit: String

  var median: Double {
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
  }

  var minimum: Double { samples.min() ?? 0 }
  var maximum: Double { samples.max() ?? 0 }

  var line: String {
    "\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) median \(format(median)) \(unit)"
      + "  (min \(format(minimum)), max \(format(maximum)), \(samples.count) runs)"
  }

  private func format(_ value: Double) -> String {
    value >= 1000 ? String(format: "%.0f", value) : String(format: "%.1f", value)
  }
}

/// Wall time of a body in nanoseconds.
func elapsedNanoseconds(_ body: () async throws -> Void) async rethrows -> Double {
  let start = ContinuousClock.now
  try await body()
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
}

/// Keeps a value alive so the optimiser cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
  withExtendedLifetime(value) {}
}
