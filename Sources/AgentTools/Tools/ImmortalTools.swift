import MCP
import MarketCore

extension AgentTool {
  /// `list_immortals {}`: the eight debaters, their stances and watchlists (no quotes).
  static let listImmortals = AgentTool(
    name: "list_immortals", title: "List the eight immortals",
    description: """
      The eight immortals of the debate: id, name, trigram, stance, and each one's watchlist (symbols with their \
      active flags). Use get_watchlist for one immortal's list with current quotes.
      """,
    inputSchema: JSONSchema.object([:]),
    outputSchema: JSONSchema.object(
      ["immortals": JSONSchema.array(ImmortalFields.schema(withQuotes: false))], required: ["immortals"]),
    changesState: false, idempotent: true
  ) { _, context throws(MCPError) in
    let lists = context.core.watchlists
    let immortals = Immortal.all.map { immortal in
      (immortal, lists[immortal.id] ?? Watchlist(symbols: []))
    }
    return ToolAnswer(
      structured: .object(["immortals": .array(immortals.map { ImmortalFields.value($0, watchlist: $1) })]),
      text: immortals.map { ImmortalFields.text($0, watchlist: $1) }.joined(separator: "\n"))
  }

  /// `get_watchlist {immortal}`: one immortal's list with current quotes for the active symbols.
  static let getWatchlist = AgentTool(
    name: "get_watchlist", title: "Get an immortal's watchlist",
    description: """
      One immortal's watchlist with a current quote (or the error that stood in for one) for every active \
      symbol, as GET /v1/immortals/{id} answers it.
      """,
    inputSchema: JSONSchema.object(["immortal": ImmortalFields.idSchema], required: ["immortal"]),
    outputSchema: ImmortalFields.schema(withQuotes: true), changesState: false, idempotent: true
  ) { arguments, context throws(MCPError) in
    let id = try arguments.immortal("immortal")
    let (structured, text) = await WatchlistReading.withLiveQuotes(id, core: context.core)
    return ToolAnswer(structured: structured, text: text)
  }

  /// `set_watchlist_symbol {immortal, symbol, active}`: the one mutating tool.
  static let setWatchlistSymbol = AgentTool(
    name: "set_watchlist_symbol", title: "Set a watchlist symbol active or inactive",
    description: """
      Makes a symbol active (kept fresh, debated) or inactive on an immortal's watchlist. Activating a symbol \
      that is not on the list adds it (at most 32 symbols); deactivating one that is not there is the error \
      not_on_watchlist. The same edit as PATCH /v1/immortals/{id}: announced to every client and saved to the \
      config file. Over HTTP it needs the API's bearer token when one is configured.
      """,
    inputSchema: JSONSchema.object(
      [
        "immortal": ImmortalFields.idSchema,
        "symbol": JSONSchema.string("The symbol to set.", minLength: 1, maxLength: 32),
        "active": JSONSchema.boolean("true to keep it fresh and debate it, false to set it aside."),
      ], required: ["immortal", "symbol", "active"]),
    outputSchema: JSONSchema.object(
      [
        "changed": JSONSchema.boolean("False when the symbol was already in that state."),
        "immortal": ImmortalFields.schema(withQuotes: true),
      ], required: ["changed", "immortal"]),
    changesState: true, idempotent: true
  ) { arguments, context throws(MCPError) in
    let id = try arguments.immortal("immortal")
    let text = try arguments.string("symbol")
    let active = try arguments.bool("active")
    let symbol: Symbol
    do throws(ReadError) {
      symbol = try QuoteReading.symbol(text)
    } catch {
      return .failure(error, symbol: Excerpt.printable(text))
    }
    switch WatchlistReading.set(symbol, active: active, on: id, core: context.core) {
    case .failure(let error):
      return .failure(class: error.errorClass, message: error.description, extra: ["symbol": .string(symbol.text)])
    case .success(let (list, changed)):
      let immortal = Immortal.named(id)
      let quotes = WatchlistReading.lastKnownQuotes(for: list, core: context.core)
      let state = active ? "active" : "inactive"
      return ToolAnswer(
        structured: .object([
          "changed": .bool(changed), "immortal": ImmortalFields.value(immortal, watchlist: list, quotes: quotes),
        ]),
        text: "\(symbol.text) is \(changed ? "now" : "already") \(state) for \(immortal.pinyin)\n"
          + ImmortalFields.text(immortal, watchlist: list))
    }
  }
}

/// Watchlist reads and the one edit agents make, shared by tools, resources and the prompt.
enum WatchlistReading {
  static func withLiveQuotes(_ id: ImmortalID, core: MarketDataCore) async -> (Value, String) {
    let immortal = Immortal.named(id)
    let list = core.watchlist(id)
    let quotes = await liveQuotes(for: list.activeSymbols, core: core)
    var lines = [ImmortalFields.text(immortal, watchlist: list)]
    for entry in list.entries where entry.isActive {
      switch quotes[entry.symbol] {
      case .success(let served)?: lines.append(QuoteFields.text(served))
      case .failure(let error)?: lines.append("\(entry.symbol.text): \(error.errorClass): \(error.description)")
      case nil: break
      }
    }
    return (ImmortalFields.value(immortal, watchlist: list, quotes: quotes), lines.joined(separator: "\n"))
  }

  /// Through the core's read path (mostly cache hits: the refresh loop keeps active symbols fresh).
  static func liveQuotes(for symbols: [Symbol], core: MarketDataCore) async -> [Symbol: Result<ServedQuote, ReadError>] {
    symbols.isEmpty ? [:] : await core.quotes(symbols)
  }

  /// What is cached, without asking any provider: the answer to an edit does not wait on one.
  static func lastKnownQuotes(for list: Watchlist, core: MarketDataCore) -> [Symbol: Result<ServedQuote, ReadError>] {
    var quotes: [Symbol: Result<ServedQuote, ReadError>] = [:]
    for symbol in list.symbols {
      if let served = core.lastKnown(symbol) { quotes[symbol] = .success(served) }
    }
    return quotes
  }

  /// Sets a symbol's active flag through `core.editWatchlist`, exactly the edits the API's
  /// PATCH makes (`activate`, `deactivate`, `add`), so the same rules, events and saving apply.
  /// The list is read first to pick the edit; if another editor changed it in between, the
  /// edit that now fits is tried once more.
  static func set(
    _ symbol: Symbol, active: Bool, on id: ImmortalID, core: MarketDataCore
  ) -> Result<(Watchlist, changed: Bool), WatchlistError> {
    var lastError = WatchlistError.notOnWatchlist(symbol)
    for _ in 0..<2 {
      let before = core.watchlist(id).entries.first { $0.symbol == symbol }
      let edit: WatchlistEdit
      switch (before, active) {
      case (.some, _): edit = .setActive(symbol, active)
      case (nil, true): edit = .add(symbol)
      case (nil, false): return .failure(.notOnWatchlist(symbol))
      }
      do throws(WatchlistError) {
        let list = try core.editWatchlist(id, edit)
        return .success((list, before?.isActive != active))
      } catch {
        lastError = error
        switch error {
        case .alreadyOnWatchlist, .notOnWatchlist: continue
        case .full: return .failure(error)
        }
      }
    }
    return .failure(lastError)
  }
}

extension WatchlistError {
  /// The API's classes for the same refusals.
  var errorClass: String {
    switch self {
    case .notOnWatchlist: "not_on_watchlist"
    case .alreadyOnWatchlist: "already_on_watchlist"
    case .full: "watchlist_full"
    }
  }
}
