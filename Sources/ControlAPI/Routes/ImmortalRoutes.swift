import ControlAPIClient
import Foundation
import Hummingbird
import MarketCore

/// `GET /v1/immortals`, `GET|PUT|PATCH /v1/immortals/{id}`: the eight debaters' watchlists.
extension ControlAPIBuilder {
  func addImmortalRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/immortals") { [self] _, _ in
      let lists = core.watchlists
      let quotes = await liveQuotes(for: lists.values.flatMap(\.activeSymbols))
      let bodies = Immortal.all.map { immortal in
        ImmortalBody(immortal, watchlist: lists[immortal.id] ?? Watchlist(symbols: []), quotes: quotes)
      }
      return JSONBody.response(ImmortalsBody(immortals: bodies))
    }

    routes.on(.get, "/v1/immortals/{id}") { [self] _, context in
      let id = try immortalID(context)
      let list = core.watchlist(id)
      let quotes = await liveQuotes(for: list.activeSymbols)
      return JSONBody.response(ImmortalBody(Immortal.named(id), watchlist: list, quotes: quotes))
    }

    routes.on(.put, "/v1/immortals/{id}") { [self] request, context in
      let id = try immortalID(context)
      let replacement = try await JSONBody.decode(WatchlistReplacement.self, from: request, limit: configuration.maximumBodyBytes)
      guard replacement.symbols.count <= Watchlist.maximumEntries else {
        throw APIError(WatchlistError.full(limit: Watchlist.maximumEntries))
      }
      var entries: [Watchlist.Entry] = []
      for entry in replacement.symbols {
        entries.append(Watchlist.Entry(symbol: try symbol(entry.symbol), isActive: entry.active ?? true))
      }
      let list = Watchlist(entries: entries)
      core.replaceWatchlist(id, with: list)
      return JSONBody.response(ImmortalBody(Immortal.named(id), watchlist: list, quotes: lastKnownQuotes(for: list)))
    }

    routes.on(.patch, "/v1/immortals/{id}") { [self] request, context in
      let id = try immortalID(context)
      let patch = try await JSONBody.decode(WatchlistPatch.self, from: request, limit: configuration.maximumBodyBytes)
      guard !patch.edits.isEmpty, patch.edits.count <= 2 * Watchlist.maximumEntries else {
        throw APIError.badRequest("invalid_body", "give between 1 and \(2 * Watchlist.maximumEntries) edits")
      }
      var edits: [WatchlistEdit] = []
      for edit in patch.edits {
        let symbol = try symbol(edit.symbol)
        switch edit.op {
        case .add: edits.append(.add(symbol))
        case .remove: edits.append(.remove(symbol))
        case .toggle: edits.append(.toggle(symbol))
        case .activate: edits.append(.setActive(symbol, true))
        case .deactivate: edits.append(.setActive(symbol, false))
        }
      }
      let list: Watchlist
      do throws(WatchlistError) {
        // All or none: the book keeps the old list if any edit fails.
        list = try core.editWatchlist(id, edits)
      } catch {
        throw APIError(error)
      }
      return JSONBody.response(ImmortalBody(Immortal.named(id), watchlist: list, quotes: lastKnownQuotes(for: list)))
    }
  }

  private func immortalID(_ context: APIRequestContext) throws -> ImmortalID {
    let text = try context.pathParameter("id")
    guard let id = ImmortalID(rawValue: text) else {
      throw APIError.notFound(
        "unknown_immortal",
        "no immortal \(printableExcerpt(text)); known: \(ImmortalID.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return id
  }

  private func symbol(_ text: String) throws -> Symbol { try parseSymbol(text) }

  /// Quotes through the core's read path (mostly cache hits: the refresh loop keeps active
  /// symbols fresh).
  private func liveQuotes(for symbols: [Symbol]) async -> [Symbol: Result<ServedQuote, ReadError>] {
    symbols.isEmpty ? [:] : await core.quotes(symbols)
  }

  /// What is cached, without asking any provider: the answer to an edit should not wait on one.
  private func lastKnownQuotes(for list: Watchlist) -> [Symbol: Result<ServedQuote, ReadError>] {
    var quotes: [Symbol: Result<ServedQuote, ReadError>] = [:]
    for symbol in list.symbols {
      if let served = core.lastKnown(symbol) { quotes[symbol] = .success(served) }
    }
    return quotes
  }
}
