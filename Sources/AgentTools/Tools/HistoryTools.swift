import MCP
import MarketCore

extension AgentTool {
  /// `get_history {symbol, interval, range | from, to, max_bars}`: a symbol's bars over a
  /// window, through the same blocks, cache and providers as `GET /v1/history/{symbol}`.
  static let getHistory = AgentTool(
    name: "get_history", title: "Get price history",
    description: """
      OHLCV bars for one symbol over a window. interval: \(intervals) (default 1d). The window is a range \
      ending now (\(ranges); default 1y) or both from and to (YYYY-MM-DD, UTC days, both included), never a mix. \
      The answer has a summary of the whole window (first and last bar, high, low, change, change_percent), the \
      newest max_bars bars inline (default \(HistoryFields.defaultBars), at most \(HistoryFields.maximumBars); \
      truncated and a note say when the window holds more) and api_path, the control API path that serves the \
      whole series. Like every answer it says where the bars came from (source), the newest bar's time (as_of), \
      how old they are (age_seconds) and whether they are stale or simulated. Daily and longer bars are dated by \
      calendar day, intraday bars by UTC instant. A bad interval, range, date or window is an invalid-params \
      error naming the API's class (invalid_interval, invalid_range, invalid_date, invalid_window, \
      window_too_long); an unknown symbol or failing providers are an error result with a stable class.
      """,
    inputSchema: JSONSchema.object(
      [
        "symbol": JSONSchema.string("The symbol.", minLength: 1, maxLength: 32),
        "interval": JSONSchema.string("Bar length: \(intervals). Default 1d.", minLength: 1, maxLength: 16),
        "range": JSONSchema.string(
          "A window ending now: \(ranges). Default 1y. Not with from and to.", minLength: 1, maxLength: 16),
        "from": JSONSchema.string("First day, YYYY-MM-DD (UTC), with to.", minLength: 1, maxLength: 16),
        "to": JSONSchema.string("Last day, YYYY-MM-DD (UTC), included, with from.", minLength: 1, maxLength: 16),
        "max_bars": JSONSchema.integer(
          "How many of the newest bars to answer inline; 0 gives the summary alone.", minimum: 0,
          maximum: HistoryFields.maximumBars, defaultValue: HistoryFields.defaultBars),
      ], required: ["symbol"]),
    outputSchema: HistoryFields.schema, changesState: false, idempotent: true
  ) { arguments, context throws(MCPError) in
    let text = try arguments.string("symbol")
    let interval = try arguments.optionalString("interval")
    let range = try arguments.optionalString("range")
    let from = try arguments.optionalString("from")
    let to = try arguments.optionalString("to")
    let asked = try arguments.optionalInteger("max_bars") ?? HistoryFields.defaultBars
    let maximumBars = min(max(0, asked), HistoryFields.maximumBars)
    let symbol: Symbol
    do throws(ReadError) {
      symbol = try QuoteReading.symbol(text)
    } catch {
      return .failure(error, symbol: Excerpt.printable(text))
    }
    // The API's parser, so the tool and `GET /v1/history` accept and refuse the same requests.
    let request: HistoryRequest
    do throws(HistoryRequestError) {
      request = try HistoryRequest(symbol: symbol, interval: interval, range: range, from: from, to: to)
    } catch {
      throw .invalidParams("get_history: \(error.errorClass): \(error)")
    }
    do throws(ReadError) {
      let served = try await context.core.history(request)
      return HistoryFields.answer(served, request: request, maximumBars: maximumBars)
    } catch {
      return .failure(error, symbol: symbol.text)
    }
  }

  private static let intervals = BarInterval.allCases.map(\.rawValue).joined(separator: " ")
  private static let ranges = HistoryRange.allCases.map(\.rawValue).joined(separator: " ")
}
