import Foundation
import MarketCore

/// One line of the events pane.
public struct EventLine: Hashable, Sendable {
  public enum Kind: String, Hashable, Sendable {
    case breaker, `operator`, error, cache, watchlist, quality, dashboard
  }

  public var time: Date
  public var kind: Kind
  public var text: String

  public init(time: Date, kind: Kind, text: String) {
    self.time = time
    self.kind = kind
    self.text = text
  }

  /// The events pane's line for a core event; nil for quote updates (too many to list).
  public init?(_ event: MarketEvent) {
    let kind: Kind
    switch event.kind {
    case .quoteUpdated: return nil
    case .providerError: kind = .error
    case .breakerTransition: kind = .breaker
    case .operatorAction: kind = .operator
    case .cacheInvalidated: kind = .cache
    case .watchlistChanged: kind = .watchlist
    case .dataQuality: kind = .quality
    case .persistenceFailed: kind = .error
    }
    self.init(time: event.time, kind: kind, text: event.summary)
  }
}

/// Quotes received per second, over the last few whole seconds.
public struct QuoteRate: Hashable, Sendable {
  static let window = 5
  private var second: Int64 = 0
  private var counts = [Int](repeating: 0, count: QuoteRate.window + 1)

  public init() {}

  public mutating func record(at time: Date) {
    let now = Int64(time.timeIntervalSince1970.rounded(.down))
    if now > second {
      let clearFrom = max(second + 1, now - Int64(Self.window))
      for slot in clearFrom...now { counts[Int(slot % Int64(counts.count))] = 0 }
      second = now
    } else if now <= second - Int64(Self.window) {
      return
    }
    counts[Int(now % Int64(counts.count))] += 1
  }

  /// The mean over the whole seconds before `time`'s second.
  public func perSecond(at time: Date) -> Double {
    let now = Int64(time.timeIntervalSince1970.rounded(.down))
    var total = 0
    for slot in (now - Int64(Self.window))..<now where slot <= second && slot > second - Int64(counts.count) {
      total += counts[Int(((slot % Int64(counts.count)) + Int64(counts.count)) % Int64(counts.count))]
    }
    return Double(total) / Double(Self.window)
  }
}
