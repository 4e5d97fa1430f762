import MarketCore

/// One history request as an adapter sees it: a symbol's bars of one size whose start lies in
/// `[from, to)`, and the moment it is asked.
public struct HistoryQuery: Hashable, Sendable, CustomStringConvertible {
  public var symbol: Symbol
  public var interval: BarInterval
  /// Epoch seconds, `from` included, `to` excluded.
  public var from: Int64
  public var to: Int64
  /// When the request is made (epoch seconds, the caller's clock). Some answers depend on it:
  /// Alpha Vantage's compact series holds the latest 100 sessions, Yahoo keeps minute bars for
  /// 30 days.
  public var now: Int64

  public init(symbol: Symbol, interval: BarInterval, from: Int64, to: Int64, now: Int64) {
    self.symbol = symbol
    self.interval = interval
    self.from = from
    self.to = to
    self.now = now
  }

  public var description: String { "\(symbol) \(interval) [\(from), \(to))" }
}

/// One real HTTP provider's bars, without I/O: the request for one window, the bars of its
/// answer, and the answer's errors read by their words (each adapter's `historyFailure`).
/// ``HTTPQuoteProvider`` runs it over the shared transport and is then a `HistoryProvider`.
public protocol HTTPHistoryAdapter: HTTPQuoteAdapter {
  /// The bar sizes it serves; empty when the plan has none (Finnhub's candles), so the router
  /// never asks.
  var historyIntervals: Set<BarInterval> { get }

  /// Whether its history endpoint covers `symbol` at all; by default what ``canServe(_:)``
  /// allows.
  func servesHistory(of symbol: Symbol) -> Bool

  /// The one upstream request for `query`. Throws `unsupportedSymbol` for a symbol, size or
  /// window the endpoint cannot answer in one call.
  func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec

  /// The bars of the answer that start in `[query.from, query.to)`, oldest first, one per
  /// start, as sent (rounded only to drop float noise); an empty list when the provider has
  /// none there. Throws the taxonomy's error for a failed answer.
  func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer
}

extension HTTPHistoryAdapter {
  public func servesHistory(of symbol: Symbol) -> Bool { canServe(symbol) }

  /// The provider's spelling of the query's symbol, checking the interval and the symbol
  /// against what this adapter serves.
  func historySymbol(for query: HistoryQuery) throws(ProviderError) -> String {
    guard historyIntervals.contains(query.interval), servesHistory(of: query.symbol),
      let providerSymbol = providerSymbol(for: query.symbol)
    else { throw .unsupportedSymbol(query.symbol) }
    return providerSymbol
  }
}
