import MarketCore

/// Finnhub's candles (`/stock/candle`) are a paid plan's: this adapter serves no bar sizes,
/// so the router never asks it for history, and a direct request is `unsupported_symbol`
/// (a limit of the plan, not a failure) without an upstream call.
extension FinnhubAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { [] }

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    throw .unsupportedSymbol(query.symbol)
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    throw .unsupportedSymbol(query.symbol)
  }
}
