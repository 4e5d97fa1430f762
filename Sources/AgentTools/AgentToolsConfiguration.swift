/// How the MCP server presents itself and the bounds it keeps.
public struct AgentToolsConfiguration: Sendable {
  /// The most symbols `get_quotes` takes in one call.
  public static let maximumBatchSymbols = 200

  public var name = "lianyaohu"
  public var version = "0.1.0"
  public var maximumBatchSymbols = Self.maximumBatchSymbols
  /// At most one `notifications/resources/updated` per subscribed resource per session in
  /// this interval; updates in between are folded into one sent when it ends.
  public var updateInterval: Duration = .seconds(1)
  /// Core events one session's subscription listener may fall behind by before the oldest are
  /// dropped (a dropped quote event only delays a notification to the next update).
  public var eventBufferSize = 1024

  public init() {}

  /// What clients read at initialize: how to use the server, in a few lines for the model.
  var instructions: String {
    """
    Market data for the eight immortals' debate, served from a cache in front of several providers. \
    Every quote says where it came from (source), when it was true (as_of), how old it is (age_seconds) \
    and whether it is stale, simulated or delayed: say so when you use such a price. \
    Tools: get_quote, get_quotes (up to \(maximumBatchSymbols) symbols), get_history (bars over a window, with a \
    summary), get_profile (what a company is), list_immortals, get_watchlist, set_watchlist_symbol, \
    provider_status, cache_stats. Resources: lianyaohu://immortals, \
    lianyaohu://immortals/{id}, lianyaohu://quotes/{symbol} (subscribable). Prompt: debate_brief.
    """
  }
}
