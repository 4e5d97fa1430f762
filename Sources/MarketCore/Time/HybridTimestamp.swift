import Foundation

/// A reading of a hybrid logical clock: wall milliseconds, a counter for events within one
/// millisecond (or while the wall clock lags a reading already seen), and the instance that
/// made it as the final tiebreak. The version of a piece of operator state: of two readings
/// the greater is the later write, on every instance alike, even when their clocks differ
/// by a little (the counter carries causality past a lagging clock).
///
/// A value is also the clock itself: an instance keeps its last reading (with its own id)
/// and asks it for the next with ``tick(now:)`` or ``receive(_:now:)``.
public struct HybridTimestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public var wallMilliseconds: Int64
  public var counter: Int64
  public var instance: String

  public init(wallMilliseconds: Int64, counter: Int64 = 0, instance: String) {
    self.wallMilliseconds = wallMilliseconds
    self.counter = counter
    self.instance = instance
  }

  /// The zero reading of an instance's clock, before any event.
  public static func start(instance: String) -> HybridTimestamp {
    HybridTimestamp(wallMilliseconds: 0, instance: instance)
  }

  /// Wall time, then counter, then the instance id byte by byte (as the Redis script
  /// compares them, whatever the server's locale).
  public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
    if lhs.wallMilliseconds != rhs.wallMilliseconds { return lhs.wallMilliseconds < rhs.wallMilliseconds }
    if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
    return lhs.instance.utf8.lexicographicallyPrecedes(rhs.instance.utf8)
  }

  /// The reading for a local event: later than this one, and at least the wall time.
  public func tick(now: Date) -> HybridTimestamp {
    let physical = Self.milliseconds(now)
    return physical > wallMilliseconds
      ? HybridTimestamp(wallMilliseconds: physical, instance: instance)
      : HybridTimestamp(wallMilliseconds: wallMilliseconds, counter: counter + 1, instance: instance)
  }

  /// The reading after hearing of `remote`: later than both this one and `remote`, and at
  /// least the wall time, still in this instance's name.
  public func receive(_ remote: HybridTimestamp, now: Date) -> HybridTimestamp {
    let physical = Self.milliseconds(now)
    let wall = max(wallMilliseconds, remote.wallMilliseconds, physical)
    let counter: Int64 =
      switch (wall == wallMilliseconds, wall == remote.wallMilliseconds) {
      case (true, true): max(self.counter, remote.counter) + 1
      case (true, false): self.counter + 1
      case (false, true): remote.counter + 1
      case (false, false): 0
      }
    return HybridTimestamp(wallMilliseconds: wall, counter: counter, instance: instance)
  }

  /// Whole milliseconds since 1970, rounded down.
  static func milliseconds(_ date: Date) -> Int64 {
    let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
    guard value.isFinite, value > 0 else { return 0 }
    return value < 9e15 ? Int64(value) : 9_000_000_000_000_000
  }

  /// `1764460740000.3@host-12-ab`: for events and logs.
  public var description: String { "\(wallMilliseconds).\(counter)@\(instance)" }

  private enum CodingKeys: String, CodingKey {
    case wallMilliseconds = "wall"
    case counter
    case instance
  }
}
