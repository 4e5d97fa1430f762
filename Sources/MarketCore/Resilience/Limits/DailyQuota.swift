import Foundation

/// A per-UTC-day call allowance, as providers such as Alpha Vantage and FMP sell them. Takes
/// wall-clock time, because the provider resets it at midnight UTC, not after 24 hours of
/// our uptime.
public struct DailyQuota: Hashable, Sendable {
  public let limit: Int
  private var used = 0
  /// Days since 1970-01-01 UTC that `used` belongs to.
  private var day: Int64 = .min

  public init(limit: Int) {
    self.limit = max(0, limit)
  }

  /// Calls used on the UTC day of `wallTime`.
  public func used(at wallTime: Date) -> Int {
    Self.day(of: wallTime) == day ? used : 0
  }

  public func remaining(at wallTime: Date) -> Int { max(0, limit - used(at: wallTime)) }

  /// Uses `count` calls if that many remain today.
  public mutating func tryConsume(_ count: Int = 1, at wallTime: Date) -> Bool {
    rollOver(to: wallTime)
    guard used + count <= limit else { return false }
    used += count
    return true
  }

  /// Gives back `count` calls used on the UTC day of `wallTime` for calls that never went out;
  /// a call from an earlier day stays with that day.
  public mutating func giveBack(_ count: Int = 1, usedAt wallTime: Date) {
    guard Self.day(of: wallTime) == day else { return }
    used = max(0, used - max(0, count))
  }

  /// The provider says today's quota is spent (whatever our count says): nothing more until
  /// UTC midnight.
  public mutating func markExhausted(at wallTime: Date) {
    rollOver(to: wallTime)
    used = max(used, limit)
  }

  /// The next UTC midnight after `wallTime`, when the quota resets.
  public static func resetTime(after wallTime: Date) -> Date {
    Date(timeIntervalSince1970: Double(day(of: wallTime) + 1) * 86_400)
  }

  static func day(of wallTime: Date) -> Int64 {
    Int64((wallTime.timeIntervalSince1970 / 86_400).rounded(.down))
  }

  private mutating func rollOver(to wallTime: Date) {
    let today = Self.day(of: wallTime)
    if today != day {
      day = today
      used = 0
    }
  }
}
