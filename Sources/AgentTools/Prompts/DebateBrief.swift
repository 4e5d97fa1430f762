import MCP
import MarketCore

/// `debate_brief {immortal}`: who the immortal is, how they argue, and their watchlist with
/// current quotes and day changes, ready to open a debate turn.
enum DebateBrief {
  static let prompt = Prompt(
    name: "debate_brief", title: "Debate brief",
    description: "An immortal's stance and watchlist with current quotes and day changes, to open a debate turn.",
    arguments: [
      Prompt.Argument(
        name: "immortal", title: "Immortal",
        description: "The immortal's id: " + ImmortalFields.identifiers.joined(separator: ", ") + ".", required: true)
    ])

  static func brief(_ arguments: [String: String]?, core: MarketDataCore) async throws(MCPError) -> GetPrompt.Result {
    guard let text = arguments?["immortal"] else { throw .invalidParams("debate_brief needs the argument immortal") }
    guard let id = ImmortalID(rawValue: text) else {
      throw .invalidParams(
        "immortal: no immortal \(Excerpt.printable(text)); known: \(ImmortalFields.identifiers.joined(separator: ", "))")
    }
    let immortal = Immortal.named(id)
    let list = core.watchlist(id)
    let quotes = await WatchlistReading.liveQuotes(for: list.activeSymbols, core: core)
    var lines = [
      "You are \(immortal.chineseName) (\(immortal.pinyin)), trigram \(immortal.trigramSymbol) \(immortal.trigram), "
        + "in the debate of the eight immortals.",
      "Your stance: \(immortal.stance).",
      "",
      "Your watchlist now (price, day change, provider, age):",
    ]
    var marked = false
    for entry in list.entries where entry.isActive {
      switch quotes[entry.symbol] {
      case .success(let served)?:
        lines.append("- " + QuoteFields.text(served))
        marked = marked || served.isStale || served.quote.isSimulated || served.quote.isDelayed
      case .failure(let error)?: lines.append("- \(entry.symbol.text): no quote (\(error.errorClass))")
      case nil: lines.append("- \(entry.symbol.text): no quote")
      }
    }
    let inactive = list.entries.filter { !$0.isActive }.map(\.symbol.text)
    if list.activeSymbols.isEmpty { lines.append("- (no active symbols)") }
    if !inactive.isEmpty { lines.append("Set aside: " + inactive.joined(separator: ", ") + ".") }
    lines.append("")
    if marked {
      lines.append("Prices marked STALE, SIMULATED or DELAYED are not live: say so when you cite them.")
    }
    lines.append(
      "Open your debate turn: argue from your stance with these numbers, cite each price with its source and age, "
        + "and use the get_quote tool for any other symbol you bring in.")
    return GetPrompt.Result(
      description: "Debate brief for \(immortal.pinyin) (\(immortal.stance))",
      messages: [.user(.text(text: lines.joined(separator: "\n")))])
  }
}
