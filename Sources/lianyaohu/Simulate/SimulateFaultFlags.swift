import Foundation
import MarketCore

/// Parsing of the fault flags of `lianyaohu simulate`, kept apart from the command so tests
/// can check every accepted and rejected spelling.
enum SimulateFaultFlags {
  struct Invalid: Error, CustomStringConvertible {
    var description: String
  }

  /// `MEDIAN[,P99]` in milliseconds; a lone median means no spread.
  static func latency(_ text: String) throws(Invalid) -> SimulatedBehaviour.Latency {
    let values = try numbers(text, flag: "--latency-ms", count: 1...2)
    let median = values[0]
    let p99 = values.count > 1 ? values[1] : median
    guard p99 >= median else { throw Invalid(description: "--latency-ms: P99 \(p99) is below the median \(median)") }
    return .init(median: .microseconds(Int64(median * 1000)), p99: .microseconds(Int64(p99 * 1000)))
  }

  /// `PERIOD_S,DOWN_S[,PHASE_S]` in seconds.
  static func outage(_ text: String) throws(Invalid) -> SimulatedBehaviour.OutageSchedule {
    let values = try numbers(text, flag: "--outage", count: 2...3)
    guard values[0] > 0, values[1] <= values[0] else {
      throw Invalid(description: "--outage: the period must be positive and at least the downtime (\(text))")
    }
    return .init(
      period: .milliseconds(Int64(values[0] * 1000)), downtime: .milliseconds(Int64(values[1] * 1000)),
      phase: .milliseconds(Int64((values.count > 2 ? values[2] : 0) * 1000)))
  }

  /// A fraction of requests, 0 to 1.
  static func rate(_ value: Double, flag: String) throws(Invalid) -> Double {
    guard value.isFinite, (0...1).contains(value) else { throw Invalid(description: "\(flag) must be between 0 and 1") }
    return value
  }

  private static func numbers(_ text: String, flag: String, count: ClosedRange<Int>) throws(Invalid) -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    var values: [Double] = []
    for part in parts {
      guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0, value <= 86_400_000
      else { throw Invalid(description: "\(flag): '\(part)' is not a non-negative number") }
      values.append(value)
    }
    guard count.contains(values.count) else {
      throw Invalid(
        description: "\(flag) takes \(count.lowerBound) to \(count.upperBound) comma-separated numbers, got '\(text)'")
    }
    return values
  }
}
