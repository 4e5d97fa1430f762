import Foundation

/// A point on a clock's monotonic timeline, in nanoseconds since the clock's origin.
///
/// A plain integer so cache entries and breaker windows compare instants without any
/// allocation or clock-type generics on hot paths.
public struct MarketInstant: Hashable, Comparable, Sendable {
  public var nanoseconds: Int64

  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

  public static let origin = MarketInstant(nanoseconds: 0)

  public static func < (lhs: MarketInstant, rhs: MarketInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

  public static func + (lhs: MarketInstant, rhs: Duration) -> MarketInstant {
    MarketInstant(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
  }

  public static func - (lhs: MarketInstant, rhs: Duration) -> MarketInstant {
    MarketInstant(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
  }

  public static func - (lhs: MarketInstant, rhs: MarketInstant) -> Duration {
    .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
  }
}

extension Duration {
  /// Whole nanoseconds, saturating far outside any interval this program uses.
  public var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return seconds < 0 ? .min : .max }
    return scaled &+ attoseconds / 1_000_000_000
  }

  public var seconds: Double { Double(nanoseconds) / 1e9 }
  public var milliseconds: Double { Double(nanoseconds) / 1e6 }
}

/// The time source of everything time-based in the core. Production uses ``SystemClock``;
/// tests use a manual clock that only moves when told, so they are fast and deterministic.
public protocol MarketClock: Sendable {
  /// The monotonic now: use it for TTLs, windows and latencies.
  func now() -> MarketInstant
  /// The wall-clock time of an instant, for `receivedAt` and for display.
  func wallTime(at instant: MarketInstant) -> Date
  /// Suspends until the instant; throws `CancellationError` when the task is cancelled.
  func sleep(until deadline: MarketInstant) async throws
}

extension MarketClock {
  public func sleep(for duration: Duration) async throws {
    try await sleep(until: now() + duration)
  }

  public func wallNow() -> Date { wallTime(at: now()) }
}

/// The real clock: `ContinuousClock` for the timeline, anchored to the wall clock at start.
public struct SystemClock: MarketClock {
  private let originInstant: ContinuousClock.Instant
  private let originDate: Date
  #if os(Linux)
    private let originNanoseconds: Int64
  #endif

  public init() {
    self.originInstant = ContinuousClock.now
    self.originDate = Date()
    #if os(Linux)
      self.originNanoseconds = Self.bootTimeNanoseconds()
    #endif
  }

  public func now() -> MarketInstant {
    #if os(Linux)
      MarketInstant(nanoseconds: Self.bootTimeNanoseconds() &- originNanoseconds)
    #else
      MarketInstant(nanoseconds: (ContinuousClock.now - originInstant).nanoseconds)
    #endif
  }

  #if os(Linux)
    /// ContinuousClock's own source on Linux, read directly: every read on the hot path asks
    /// the time, and going through `Duration` costs 128-bit arithmetic each time.
    @inline(__always)
    private static func bootTimeNanoseconds() -> Int64 {
      var time = timespec()
      clock_gettime(CLOCK_BOOTTIME, &time)
      return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
  #endif

  public func wallTime(at instant: MarketInstant) -> Date {
    originDate.addingTimeInterval(Double(instant.nanoseconds) / 1e9)
  }

  public func sleep(until deadline: MarketInstant) async throws {
    try await Task.sleep(until: originInstant + .nanoseconds(deadline.nanoseconds), clock: .continuous)
  }
}
