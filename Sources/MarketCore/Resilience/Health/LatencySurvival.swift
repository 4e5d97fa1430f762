/// How likely a call to one provider is to take longer than a given time, estimated from a
/// window that holds answers and cancelled calls.
///
/// A cancelled call (a fan-out loser) says only that the call would have taken longer than
/// the time it ran: a right-censored observation. Counting it as if it had answered then
/// biases the estimate wherever the call was cut short early, which is what happens to a
/// hedge that loses to the first request a moment after it was sent. This is the
/// Kaplan–Meier estimate instead: at each latency, the share of calls still running that
/// answer there; a censored call leaves the calls at risk without counting as an answer.
///
/// Built once from a window's histograms (see ``HealthTracker/survival(at:minimumSamples:)``)
/// and then read many times: each read is a binary search.
public struct LatencySurvival: Sendable, Equatable {
  /// Latencies at which calls answered, ascending, in microseconds.
  private let times: [UInt64]
  /// The estimated fraction of calls slower than `times[i]`.
  private let slower: [Double]
  /// Answers plus cancelled calls in the window the estimate came from.
  public let sampleCount: Int

  public static let empty = LatencySurvival(times: [], slower: [], sampleCount: 0)

  private init(times: [UInt64], slower: [Double], sampleCount: Int) {
    self.times = times
    self.slower = slower
    self.sampleCount = sampleCount
  }

  /// `answers` and `censored` are (microseconds, count) pairs, each ascending by time.
  /// At a time where both occur, the answers count first: a call cancelled at t was still
  /// running at t.
  public init(answers: [(UInt64, Int)], censored: [(UInt64, Int)]) {
    var atRisk = answers.reduce(0) { $0 + $1.1 } + censored.reduce(0) { $0 + $1.1 }
    let total = atRisk
    var times: [UInt64] = []
    var slower: [Double] = []
    times.reserveCapacity(answers.count)
    slower.reserveCapacity(answers.count)
    var survival = 1.0
    var next = censored.startIndex
    for (time, count) in answers where count > 0 {
      while next < censored.endIndex, censored[next].0 < time {
        atRisk -= censored[next].1
        next += 1
      }
      guard atRisk > 0 else { break }
      survival *= 1 - Double(min(count, atRisk)) / Double(atRisk)
      atRisk -= count
      times.append(time)
      slower.append(survival)
    }
    self.init(times: times, slower: slower, sampleCount: total)
  }

  public var isEmpty: Bool { times.isEmpty }

  /// The estimated fraction of calls that take longer than `microseconds`. Past the last
  /// answer it stays where the answers left it: a window whose slowest calls were all
  /// cancelled cannot say how slow they would have been, so it does not pretend they end.
  public func fractionSlower(than microseconds: Double) -> Double {
    guard microseconds >= 0 else { return 1 }
    // The number of answer times at or below `microseconds`.
    var low = 0
    var high = times.count
    while low < high {
      let middle = (low + high) / 2
      if Double(times[middle]) <= microseconds { low = middle + 1 } else { high = middle }
    }
    return low == 0 ? 1 : slower[low - 1]
  }

  /// The least latency that `fraction` (0...1) of calls are estimated to finish within, or nil
  /// when the window cannot say (too few answers that slow).
  public func latency(finishing fraction: Double) -> UInt64? {
    let limit = 1 - fraction
    // `slower` descends: the first index at or below the limit.
    var low = 0
    var high = slower.count
    while low < high {
      let middle = (low + high) / 2
      if slower[middle] > limit + 1e-12 { low = middle + 1 } else { high = middle }
    }
    return low < times.count ? times[low] : nil
  }

  /// The slowest answer in the window.
  public var slowestAnswer: UInt64? { times.last }
}
