import Foundation
import MarketCore

/// The data half of the dashboard's state: what the panes show. Pausing freezes a copy
/// while the live one keeps taking updates.
public struct MarketView: Hashable, Sendable {
  public static let eventCapacity = 200

  public var watchlists: [ImmortalID: Watchlist] = [:]
  public var quotes: [Symbol: QuoteRow] = [:]
  /// In routing order.
  public var providers: [ProviderStatus] = []
  /// Requests per second per provider, derived from request counts when the core does not
  /// report a rate itself.
  public var requestRates: [ProviderID: Double] = [:]
  public var cacheTiers: [CacheStatistics] = []
  /// Newest first.
  public var events: [EventLine] = []
  public var quoteRate = QuoteRate()
  public var quoteTimeToLive: Duration = .seconds(15)
  /// Set on a frozen copy: the moment the display was paused; ages are measured to it.
  public var frozenAt: Date?
  /// When provider statuses were last taken, to derive request rates.
  var providersTakenAt: Date?
  /// Earlier prices that arrived before their symbol's first quote, applied when it comes.
  var historyAwaitingQuote: [Symbol: [Double]] = [:]

  public init() {}

  public func watchlist(_ id: ImmortalID) -> Watchlist {
    watchlists[id] ?? Watchlist(symbols: [])
  }

  mutating func merge(_ served: ServedQuote) {
    if var row = quotes[served.symbol] {
      if served.quote.receivedAt > row.served.quote.receivedAt {
        row.apply(served)
      } else if served.quote.receivedAt == row.served.quote.receivedAt {
        row.served.isStale = served.isStale
      } else {
        return
      }
      quotes[served.symbol] = row
    } else {
      quotes[served.symbol] = QuoteRow(served: served)
      if let points = historyAwaitingQuote.removeValue(forKey: served.symbol) { seedHistory(served.symbol, points) }
    }
  }

  /// Gives a row that has no history yet the points recorded before (the newest point stays
  /// the row's current price).
  mutating func seedHistory(_ symbol: Symbol, _ points: [Double]) {
    guard !points.isEmpty else { return }
    guard var row = quotes[symbol] else {
      historyAwaitingQuote[symbol] = points
      return
    }
    guard row.history.count <= 1 else { return }
    row.history = Array(points.suffix(QuoteRow.sparklineCapacity - 1)) + [row.quote.price]
    quotes[symbol] = row
  }

  mutating func append(_ line: EventLine) {
    events.insert(line, at: 0)
    if events.count > Self.eventCapacity { events.removeLast(events.count - Self.eventCapacity) }
  }

  mutating func takeProviders(_ statuses: [ProviderStatus], at time: Date) {
    if let previousTime = providersTakenAt {
      let elapsed = time.timeIntervalSince(previousTime)
      if elapsed >= 0.5 {
        let previous = Dictionary(providers.map { ($0.id, $0.health.totalRequests) }, uniquingKeysWith: { $1 })
        for status in statuses {
          guard let before = previous[status.id] else { continue }
          let rate = Double(max(0, status.health.totalRequests - before)) / elapsed
          requestRates[status.id] = (requestRates[status.id] ?? rate) * 0.5 + rate * 0.5
        }
        providersTakenAt = time
      }
    } else {
      providersTakenAt = time
    }
    providers = statuses
  }

  /// Requests per second: the core's figure when it reports one, else the derived one.
  public func requestsPerSecond(_ status: ProviderStatus) -> Double? {
    status.health.requestsPerSecond > 0 ? status.health.requestsPerSecond : requestRates[status.id]
  }
}
