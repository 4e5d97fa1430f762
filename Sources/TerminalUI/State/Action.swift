import Foundation
import MarketCore

/// Everything that can happen to the dashboard: keys, the terminal, time, and data arriving.
/// The loop turns each into an `Action` and hands it to ``update(_:_:)``.
public enum Action: Hashable, Sendable {
  case key(Key)
  case resize(TerminalSize)
  /// Wall-clock time moved on (the header clock, ages, highlights, messages).
  case tick(Date)
  /// A full look at the system (at start and periodically for statuses and counters).
  case snapshot(DashboardSnapshot)
  case quoteUpdated(ServedQuote)
  case providerStatuses([ProviderStatus])
  case cacheStatistics([CacheStatistics])
  case event(MarketEvent)
  /// An events pane line from elsewhere (a remote core's event, in its own words).
  case eventLine(EventLine)
  case watchlists([ImmortalID: Watchlist])
  case connection(ConnectionState)
  /// An operator command ran; its confirmation or error.
  case commandFinished(OperatorCommand, Result<String, OperatorCommandError>)
  /// A history load finished; applied only if the detail view still asks for that request.
  case historyLoaded(HistoryRequest, Result<Served<HistorySeries>, DetailLoadError>)
  /// A profile load finished; applied only if the detail view still shows that symbol.
  case profileLoaded(Symbol, Result<Served<Profile>, DetailLoadError>)
  /// Earlier prices per symbol, oldest first (intraday bars): sparklines that start full.
  case sparklineHistory([Symbol: [Double]])
}

/// What ``update(_:_:)`` asks the loop to do; values, so tests can assert them. The loop runs
/// every one. (Watchlist edits are saved by whoever owns the core, whatever made them, so
/// saving is not the dashboard's effect.)
public enum Effect: Hashable, Sendable {
  case perform(OperatorCommand)
  /// Give the terminal back and stop.
  case quit
  /// Load a series in the background; the answer comes back as `historyLoaded`. Never awaited
  /// on the loop: heavy work stays off the quote path.
  case loadHistory(HistoryRequest)
  /// Load a profile in the background; the answer comes back as `profileLoaded`.
  case loadProfile(Symbol)
  /// Load intraday closes for these symbols' sparklines; the answer is `sparklineHistory`.
  case loadSparklines([Symbol])
}
