/// The eight immortals' debate watchlists: read by the refresh loop, edited by operators (the
/// dashboard, the API, agents) and by other instances.
extension MarketDataCore {
  /// One immortal's watchlist as it is now.
  public func watchlist(_ immortal: ImmortalID) -> Watchlist { watchlistBook[immortal] }

  /// Every immortal's watchlist as it is now.
  public var watchlists: [ImmortalID: Watchlist] { watchlistBook.all }

  /// Applies an operator's edit to one immortal's watchlist and announces it; the refresh
  /// loop reads the new list on its next pass.
  @discardableResult
  public func editWatchlist(_ immortal: ImmortalID, _ edit: WatchlistEdit) throws(WatchlistError) -> Watchlist {
    try editWatchlist(immortal, [edit])
  }

  /// Applies edits in order, all or none: the list stays as it was if any edit fails.
  @discardableResult
  public func editWatchlist(_ immortal: ImmortalID, _ edits: [WatchlistEdit]) throws(WatchlistError) -> Watchlist {
    try serially { () throws(WatchlistError) -> Watchlist in
      let list = try watchlistBook.edit(immortal) { (list: inout Watchlist) throws(WatchlistError) in
        for edit in edits { try edit.apply(to: &list) }
      }
      watchlistChanged(immortal, list, origin: .local)
      return list
    }
  }

  /// Replaces a whole watchlist.
  public func replaceWatchlist(_ immortal: ImmortalID, with list: Watchlist) {
    serially { replaceWatchlist(immortal, with: list, origin: .local) }
  }

  func replaceWatchlist(_ immortal: ImmortalID, with list: Watchlist, origin: ActionOrigin) {
    watchlistBook.replace(immortal, with: list)
    watchlistChanged(immortal, list, origin: origin)
  }

  private func watchlistChanged(_ immortal: ImmortalID, _ list: Watchlist, origin: ActionOrigin) {
    context.publish(.watchlistChanged(immortal, list))
    announce(.setWatchlist(immortal, list), origin)
  }
}
