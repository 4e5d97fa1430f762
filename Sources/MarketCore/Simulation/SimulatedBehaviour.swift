import Foundation

/// How a simulated provider misbehaves: the faults a real provider shows on a bad day, made
/// configurable and repeatable by seed.
public struct SimulatedBehaviour: Hashable, Sendable {
  /// Log-normal latency given by its median and 99th percentile, the two numbers people quote.
  public struct Latency: Hashable, Sendable {
    public var median: Duration
    public var p99: Duration
    /// "The Tail at Scale"'s cause of tail latency: now and then a request stalls (a GC
    /// pause, a queue, a retransmit) for a time drawn uniformly from `stall`.
    public var stallProbability: Double
    public var stall: ClosedRange<Duration>

    public init(
      median: Duration, p99: Duration, stallProbability: Double = 0, stall: ClosedRange<Duration> = .zero ... .zero
    ) {
      self.median = median
      self.p99 = max(p99, median)
      self.stallProbability = min(max(stallProbability, 0), 1)
      self.stall = stall
    }

    public static let instant = Latency(median: .zero, p99: .zero)

    /// One draw from the distribution.
    public func sample(_ random: inout SeededRandom) -> Duration {
      let medianSeconds = median.seconds
      guard medianSeconds > 0 else { return .zero }
      // z(0.99) = 2.326: p99 = median * exp(2.326 * sigma).
      let sigma = log(p99.seconds / medianSeconds) / 2.326
      var seconds = medianSeconds * exp(sigma * random.nextGaussian())
      if stallProbability > 0, random.nextUnit() < stallProbability {
        seconds += stall.lowerBound.seconds + random.nextUnit() * (stall.upperBound - stall.lowerBound).seconds
      }
      return .nanoseconds(Int64(min(seconds, 3600) * 1e9))
    }
  }

  /// A periodic outage: down for `downtime` at the start of every `period`, shifted by `phase`.
  public struct OutageSchedule: Hashable, Sendable {
    public var period: Duration
    public var downtime: Duration
    public var phase: Duration

    public init(period: Duration, downtime: Duration, phase: Duration = .zero) {
      self.period = period
      self.downtime = downtime
      self.phase = phase
    }

    public func isDown(at instant: MarketInstant) -> Bool {
      let period = self.period.nanoseconds
      guard period > 0 else { return false }
      let shifted = instant.nanoseconds - phase.nanoseconds
      guard shifted >= 0 else { return false }
      return shifted % period < downtime.nanoseconds
    }

    /// When the current or next outage ends, for display.
    public func nextRecovery(after instant: MarketInstant) -> MarketInstant? {
      guard isDown(at: instant) else { return nil }
      let period = self.period.nanoseconds
      let shifted = instant.nanoseconds - phase.nanoseconds
      return MarketInstant(nanoseconds: instant.nanoseconds - shifted % period + downtime.nanoseconds)
    }
  }

  public var latency: Latency
  /// Fraction of calls that fail with an upstream 5xx.
  public var errorRate: Double
  /// Fraction of calls that hang until `timeout` and then fail with a timeout.
  public var timeoutRate: Double
  public var timeout: Duration
  /// Fraction of calls that answer with a body that cannot be parsed.
  public var garbageRate: Double
  public var outages: [OutageSchedule]
  /// Symbols per call on the batch path.
  public var maximumBatchSize: Int

  public init(
    latency: Latency = .init(median: .milliseconds(40), p99: .milliseconds(250)), errorRate: Double = 0,
    timeoutRate: Double = 0, timeout: Duration = .seconds(2), garbageRate: Double = 0,
    outages: [OutageSchedule] = [], maximumBatchSize: Int = 50
  ) {
    self.latency = latency
    self.errorRate = errorRate
    self.timeoutRate = timeoutRate
    self.timeout = timeout
    self.garbageRate = garbageRate
    self.outages = outages
    self.maximumBatchSize = max(1, maximumBatchSize)
  }

  /// Behaves perfectly and answers at once: for tests and benchmarks of the core itself.
  public static let perfect = SimulatedBehaviour(latency: .instant)

  public func isInOutage(at instant: MarketInstant) -> Bool {
    outages.contains { $0.isDown(at: instant) }
  }
}
