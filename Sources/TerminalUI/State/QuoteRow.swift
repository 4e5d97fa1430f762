import Foundation
import MarketCore

/// What the dashboard keeps per symbol: the last served value, a short price history for
/// the sparkline, and when the price last moved (for the tick highlight).
public struct QuoteRow: Hashable, Sendable {
  /// One sparkline point per this much time; the newest point follows every tick.
  public static let sparklineInterval: TimeInterval = 5
  public static let sparklineCapacity = 24
  /// How long a price stays highlighted after it ticks.
  public static let tickHighlight: TimeInterval = 1

  public var served: ServedQuote
  /// Sparkline points, oldest first.
  public var history: [Double]
  /// When the newest history point's interval began.
  public var historyBucket: Date
  public var lastTick: Date?
  /// +1 up, -1 down, 0 unchanged, for the tick highlight.
  public var tickDirection: Int

  public init(served: ServedQuote) {
    self.served = served
    self.history = [served.quote.price]
    self.historyBucket = served.quote.receivedAt
    self.lastTick = nil
    self.tickDirection = 0
  }

  public var quote: Quote { served.quote }

  /// Takes a newer value: extends the history and records the tick.
  public mutating func apply(_ newer: ServedQuote) {
    let previousPrice = served.quote.price
    served = newer
    let time = newer.quote.receivedAt
    if time.timeIntervalSince(historyBucket) >= Self.sparklineInterval {
      history.append(newer.quote.price)
      historyBucket = time
      if history.count > Self.sparklineCapacity { history.removeFirst(history.count - Self.sparklineCapacity) }
    } else if !history.isEmpty {
      history[history.count - 1] = newer.quote.price
    }
    if newer.quote.price != previousPrice {
      lastTick = time
      tickDirection = newer.quote.price > previousPrice ? 1 : -1
    }
  }

  /// Time since this process received the value, as of `now`.
  public func age(at now: Date) -> TimeInterval {
    max(0, now.timeIntervalSince(served.quote.receivedAt))
  }

  /// Past its time to live (or served as stale): shown dimmed and marked.
  public func isStale(at now: Date, timeToLive: Duration) -> Bool {
    served.isStale || age(at: now) >= timeToLive.seconds
  }

  /// The tick direction while the highlight lasts, else 0.
  public func highlight(at now: Date) -> Int {
    guard let lastTick, now.timeIntervalSince(lastTick) < Self.tickHighlight else { return 0 }
    return tickDirection
  }
}
