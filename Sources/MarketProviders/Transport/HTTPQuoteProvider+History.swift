import Foundation
import MarketCore

/// An adapter with bars makes its provider a `HistoryProvider`: one upstream call per
/// window, built, sent and read by the adapter's three history functions.
extension HTTPQuoteProvider: HistoryProvider where Adapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { adapter.historyIntervals }

  public func servesHistory(of symbol: Symbol) -> Bool { adapter.servesHistory(of: symbol) }

  public func history(for symbol: Symbol, interval: BarInterval, from: Int64, to: Int64) async throws -> HistoryAnswer {
    let now = Int64(clock.wallNow().timeIntervalSince1970.rounded(.down))
    let query = HistoryQuery(symbol: symbol, interval: interval, from: from, to: to, now: now)
    let request = try adapter.makeHistoryRequest(for: query)
    let response = try await perform(request)
    do {
      return try adapter.parseHistory(response, for: query)
    } catch {
      logRefusal(of: response, error)
      throw error
    }
  }
}
