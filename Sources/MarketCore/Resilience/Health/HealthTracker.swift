private import Histogram

/// What a provider has been like lately: latency percentiles, EWMA latency, error rate and
/// throughput over a rolling window, plus the last error and the failure streak. Sans-I/O:
/// the caller reports each finished call with the instant it ended.
///
/// The window is a ring of sub-histograms, one per slice of time (6 × 10 s by default),
/// aligned to the timeline; a slice is reused, and so forgotten, once it falls out of the
/// window. Recording is O(1). Reading a percentile scans one merged histogram (a few
/// thousand counters), rebuilt only when a slice rotates, so the router can ask for the
/// hedging delay on every request.
///
/// What counts:
/// - latency (percentiles, EWMA) comes from answers only: successes and "unknown symbol"
///   replies. A fast connection refusal or a 10 s timeout says nothing about how fast the
///   provider answers; it shows up in the error rate instead.
/// - an error is any failure except an answer about the symbol (unknown or unsupported).
///   Only provider faults (``ProviderError/isProviderFault``) extend the failure streak; an
///   answer resets it.
/// - a cancelled call (a fan-out loser) is not a request, an error or an EWMA sample, but
///   the time it ran goes into the percentiles as a lower bound of its latency. Leaving it
///   out would bias the tail low: a hedged call is cancelled exactly when it is slow, so a
///   window of answers alone would hold almost none of the calls slower than the hedging
///   delay, the p95 read from it would sink, and hedges would fire ever sooner until the
///   budget, not the delay, decided which slow calls get one. Counted at the time it ran, a
///   cancelled call is placed correctly for every percentile at or below that time. That
///   is not true of a hedge cancelled soon after it was sent, so the tuned hedging delay
///   reads ``survival(at:minimumSamples:)``, which treats cancelled calls as censored.
public struct HealthTracker: Sendable {
  public struct Configuration: Hashable, Sendable {
    /// How much time one sub-histogram covers.
    public var sliceDuration: Duration
    /// How many slices make the window (window = sliceCount × sliceDuration).
    public var sliceCount: Int
    /// Weight of the newest sample in the EWMA, in (0, 1].
    public var ewmaWeight: Double
    /// Latencies above this are recorded as this.
    public var highestTrackableLatency: Duration

    public init(
      sliceDuration: Duration = .seconds(10), sliceCount: Int = 6, ewmaWeight: Double = 0.2,
      highestTrackableLatency: Duration = .seconds(120)
    ) {
      self.sliceDuration = sliceDuration
      self.sliceCount = sliceCount
      self.ewmaWeight = ewmaWeight
      self.highestTrackableLatency = highestTrackableLatency
    }

    public var window: Duration { sliceDuration * sliceCount }
  }

  private struct Slice: Sendable {
    /// Which slice of the timeline this holds; `.min` when unused.
    var epoch: Int64 = .min
    /// Answers and cancelled calls, the latter at the time they ran.
    var latencies: Histogram<UInt32>
    /// The cancelled calls alone, so ``LatencySurvival`` can treat them as censored.
    var censored: Histogram<UInt32>
    var requests = 0
    var errors = 0
  }

  public let configuration: Configuration
  private let sliceNanoseconds: Int64
  private let highestMicroseconds: UInt64
  private var slices: [Slice]
  /// The sum of the slices live at `mergedEpoch`.
  private var merged: Histogram<UInt32>
  private var mergedEpoch: Int64 = .min
  private var firstRecordAt: MarketInstant?
  private var ewmaNanoseconds: Double?
  private var totalRequests = 0
  private var consecutiveFailures = 0
  private var lastError: String?

  public init(configuration: Configuration = Configuration()) {
    var configuration = configuration
    configuration.sliceCount = max(1, configuration.sliceCount)
    configuration.sliceDuration = max(.milliseconds(1), configuration.sliceDuration)
    configuration.ewmaWeight = configuration.ewmaWeight.isFinite ? min(1, max(0.001, configuration.ewmaWeight)) : 0.2
    self.configuration = configuration
    self.sliceNanoseconds = configuration.sliceDuration.nanoseconds
    self.highestMicroseconds = UInt64(max(2, configuration.highestTrackableLatency.nanoseconds / 1000))
    let empty = Histogram<UInt32>(
      lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .two)
    self.slices = Array(repeating: Slice(latencies: empty, censored: empty), count: configuration.sliceCount)
    self.merged = empty
  }

  // MARK: Recording

  /// Reports one finished call; `duration` is its latency and `now` the instant it ended.
  public mutating func record(_ outcome: CallOutcome, duration: Duration, at now: MarketInstant) {
    let answered: Bool
    switch outcome {
    case .cancelled:
      // Cancelled before it was sent, it says nothing about the provider.
      if duration > .zero {
        let index = slice(at: now)
        recordLatency(duration, inSlice: index)
        slices[index].censored.record(microseconds(duration))
      }
      return
    case .success:
      answered = true
      consecutiveFailures = 0
    case .failure(.unknownSymbol), .failure(.unsupportedSymbol):
      answered = true
      consecutiveFailures = 0
    case .failure(let error):
      answered = false
      lastError = error.description
      if error.isProviderFault { consecutiveFailures += 1 }
    }
    let index = slice(at: now)
    totalRequests += 1
    slices[index].requests += 1
    if !answered {
      slices[index].errors += 1
      return
    }
    recordLatency(duration, inSlice: index)
    let sample = Double(max(0, duration.nanoseconds))
    ewmaNanoseconds = ewmaNanoseconds.map { configuration.ewmaWeight * sample + (1 - configuration.ewmaWeight) * $0 } ?? sample
  }

  /// The slice that takes a record made at `now`, with the window rotated to it.
  private mutating func slice(at now: MarketInstant) -> Int {
    if firstRecordAt == nil { firstRecordAt = now }
    return rotate(to: epoch(of: now))
  }

  private mutating func recordLatency(_ duration: Duration, inSlice index: Int) {
    let value = microseconds(duration)
    slices[index].latencies.record(value)
    merged.record(value)
  }

  private func microseconds(_ duration: Duration) -> UInt64 {
    min(UInt64(max(0, duration.nanoseconds / 1000)), highestMicroseconds)
  }

  /// Forgets slices that have left the window, so later reads take the fast path.
  public mutating func advance(to now: MarketInstant) {
    _ = rotate(to: epoch(of: now))
  }

  // MARK: Reading

  /// The latency below which `percentile` percent (0...100) of the window's answers came,
  /// or nil when the window holds none.
  public func latency(atPercentile percentile: Double, at now: MarketInstant) -> Duration? {
    let histogram = liveHistogram(at: now)
    guard histogram.totalCount > 0 else { return nil }
    return .microseconds(Int64(histogram.valueAtPercentile(percentile)))
  }

  /// The 95th percentile latency: the usual hedging delay.
  public func p95(at now: MarketInstant) -> Duration? { latency(atPercentile: 95, at: now) }

  /// The chance of a call taking longer than any given time, estimated from the newest
  /// slices that together hold at least `minimumSamples` calls (the whole window when they
  /// never do). Reading only as far back as needed lets the estimate follow a provider whose
  /// latency changed within about one slice when it is busy, and still use the whole window
  /// when it is quiet. Cancelled calls count as censored (see ``LatencySurvival``).
  public func survival(at now: MarketInstant, minimumSamples: Int) -> LatencySurvival {
    let current = epoch(of: now)
    var latencies = merged
    latencies.reset()
    var censored = latencies
    for age in 0..<Int64(slices.count) {
      let slice = slices[slot(of: current &- age)]
      guard slice.epoch == current &- age else { continue }
      latencies.add(slice.latencies)
      censored.add(slice.censored)
      if latencies.totalCount >= UInt64(max(1, minimumSamples)) { break }
    }
    var cancelled: [(UInt64, Int)] = []
    for bucket in censored.recordedValues() { cancelled.append((bucket.value, Int(bucket.count))) }
    var answers: [(UInt64, Int)] = []
    for bucket in latencies.recordedValues() {
      let count = Int(bucket.count) - Int(censored.countForValue(bucket.value))
      if count > 0 { answers.append((bucket.value, count)) }
    }
    return LatencySurvival(answers: answers, censored: cancelled)
  }

  public var ewmaLatency: Duration? { ewmaNanoseconds.map { .nanoseconds(Int64($0)) } }

  public func status(at now: MarketInstant) -> HealthStatus {
    let histogram = liveHistogram(at: now)
    var status = HealthStatus()
    if histogram.totalCount > 0 {
      status.p50 = .microseconds(Int64(histogram.valueAtPercentile(50)))
      status.p95 = .microseconds(Int64(histogram.valueAtPercentile(95)))
      status.p99 = .microseconds(Int64(histogram.valueAtPercentile(99)))
    }
    status.ewma = ewmaLatency
    let current = epoch(of: now)
    let (requests, errors) = counts(at: current)
    if requests > 0 { status.errorRate = Double(errors) / Double(requests) }
    status.requestsPerSecond = Double(requests) / observedSpan(at: now, currentEpoch: current).seconds
    status.totalRequests = totalRequests
    status.consecutiveFailures = consecutiveFailures
    status.lastError = lastError
    return status
  }

  /// The share of the window's requests that failed (0 when there were none).
  public func errorRate(at now: MarketInstant) -> Double {
    let (requests, errors) = counts(at: epoch(of: now))
    return requests > 0 ? Double(errors) / Double(requests) : 0
  }

  // MARK: Internals

  private func counts(at current: Int64) -> (requests: Int, errors: Int) {
    var requests = 0
    var errors = 0
    for slice in slices where isLive(slice.epoch, at: current) {
      requests += slice.requests
      errors += slice.errors
    }
    return (requests, errors)
  }

  private func epoch(of instant: MarketInstant) -> Int64 {
    let (quotient, remainder) = instant.nanoseconds.quotientAndRemainder(dividingBy: sliceNanoseconds)
    return remainder < 0 ? quotient - 1 : quotient
  }

  private func isLive(_ epoch: Int64, at current: Int64) -> Bool {
    epoch != .min && epoch <= current && epoch > current &- Int64(slices.count)
  }

  private func slot(of epoch: Int64) -> Int {
    let remainder = Int(epoch % Int64(slices.count))
    return remainder < 0 ? remainder + slices.count : remainder
  }

  /// Makes `epoch` the newest slice: clears slices that left the window, rebuilds the merged
  /// histogram if any did, and returns the newest slice's index.
  private mutating func rotate(to epoch: Int64) -> Int {
    let current = max(epoch, mergedEpoch)
    let index = slot(of: current)
    guard current != mergedEpoch else { return index }
    var dropped = false
    for offset in slices.indices where slices[offset].epoch != .min && !isLive(slices[offset].epoch, at: current) {
      slices[offset].epoch = .min
      slices[offset].latencies.reset()
      slices[offset].censored.reset()
      slices[offset].requests = 0
      slices[offset].errors = 0
      dropped = true
    }
    if slices[index].epoch != current { slices[index].epoch = current }
    if dropped {
      merged.reset()
      for slice in slices where slice.epoch != .min { merged.add(slice.latencies) }
    }
    mergedEpoch = current
    return index
  }

  /// The merged histogram if nothing has left the window since it was built, else a fresh
  /// merge of the slices still live at `now`.
  private func liveHistogram(at now: MarketInstant) -> Histogram<UInt32> {
    let current = epoch(of: now)
    let stale = slices.contains { $0.epoch != .min && $0.latencies.totalCount > 0 && !isLive($0.epoch, at: current) }
    guard stale else { return merged }
    var histogram = merged
    histogram.reset()
    for slice in slices where isLive(slice.epoch, at: current) { histogram.add(slice.latencies) }
    return histogram
  }

  /// How much time the rolling counts cover: the window, or less while the tracker is
  /// younger than the window; never under one second so a single call is not a spike.
  private func observedSpan(at now: MarketInstant, currentEpoch: Int64) -> Duration {
    let windowStart = MarketInstant(nanoseconds: (currentEpoch &- Int64(slices.count) &+ 1) &* sliceNanoseconds)
    let start = max(windowStart, firstRecordAt ?? now)
    return max(.seconds(1), now - start)
  }
}
