import Foundation

/// One OHLCV bar. Daily and longer bars are dated by the exchange-local calendar date
/// (`start` is that date at 00:00 UTC); intraday bars start at a UTC instant.
public struct Bar: Hashable, Sendable, Codable {
  /// Seconds since 1970-01-01T00:00:00Z: the bar's start instant (intraday) or its
  /// exchange-local date at midnight UTC (daily and longer).
  public var start: Int64
  public var open: Double
  public var high: Double
  public var low: Double
  public var close: Double
  /// The close adjusted for splits and dividends, when the provider has it.
  public var adjustedClose: Double?
  public var volume: Double?

  public init(
    start: Int64, open: Double, high: Double, low: Double, close: Double, adjustedClose: Double? = nil,
    volume: Double? = nil
  ) {
    self.start = start
    self.open = open
    self.high = high
    self.low = low
    self.close = close
    self.adjustedClose = adjustedClose
    self.volume = volume
  }

  public var startDate: Date { Date(timeIntervalSince1970: TimeInterval(start)) }

  /// Why this bar cannot be right, or nil.
  public var problem: String? {
    for (name, value) in [("open", open), ("high", high), ("low", low), ("close", close)] {
      guard value.isFinite, value > 0 else { return "\(name) \(value) is not a positive price" }
    }
    if let adjustedClose, !(adjustedClose.isFinite && adjustedClose > 0) {
      return "adjusted close \(adjustedClose) is not a positive price"
    }
    guard low <= open, low <= close, open <= high, close <= high, low <= high else {
      return "OHLC out of order (open \(open), high \(high), low \(low), close \(close))"
    }
    if let volume, !(volume.isFinite && volume >= 0) { return "volume \(volume) is negative" }
    return nil
  }
}

/// The bar sizes the core serves.
public enum BarInterval: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case oneMinute = "1m"
  case fiveMinutes = "5m"
  case fifteenMinutes = "15m"
  case thirtyMinutes = "30m"
  case oneHour = "1h"
  case oneDay = "1d"
  case oneWeek = "1wk"
  case oneMonth = "1mo"

  public var description: String { rawValue }

  /// Intraday bars start at UTC instants; the others are calendar dates.
  public var isIntraday: Bool {
    switch self {
    case .oneMinute, .fiveMinutes, .fifteenMinutes, .thirtyMinutes, .oneHour: true
    case .oneDay, .oneWeek, .oneMonth: false
    }
  }

  /// The bar's nominal length in seconds (a month as 31 days: used for bounds, never for dates).
  public var seconds: Int64 {
    switch self {
    case .oneMinute: 60
    case .fiveMinutes: 300
    case .fifteenMinutes: 900
    case .thirtyMinutes: 1_800
    case .oneHour: 3_600
    case .oneDay: 86_400
    case .oneWeek: 7 * 86_400
    case .oneMonth: 31 * 86_400
    }
  }

  /// The longest window asked in bars of this size: past it a request is refused up front
  /// (a fifty-year minute series is a mistake, not a download). Providers keep intraday bars
  /// for less (Yahoo a month of minute bars); what they lack comes back empty, as gaps.
  public var maximumWindowDays: Int? {
    switch self {
    case .oneMinute, .fiveMinutes, .fifteenMinutes, .thirtyMinutes: 1_000
    case .oneHour: 3_660
    case .oneDay, .oneWeek, .oneMonth: nil
    }
  }
}
