import Synchronization

/// The eight immortals' watchlists, edited by operators and read by the refresh loop.
public final class WatchlistBook: Sendable {
  private let lists: Mutex<[ImmortalID: Watchlist]>

  public init(_ lists: [ImmortalID: Watchlist] = WatchlistBook.defaults) {
    var complete = WatchlistBook.defaults
    for (id, list) in lists { complete[id] = list }
    self.lists = Mutex(complete)
  }

  public static var defaults: [ImmortalID: Watchlist] {
    Dictionary(uniqueKeysWithValues: Immortal.all.map { ($0.id, Watchlist(symbols: $0.defaultSymbols)) })
  }

  public subscript(id: ImmortalID) -> Watchlist { lists.withLock { $0[id] ?? Watchlist(symbols: []) } }

  public var all: [ImmortalID: Watchlist] { lists.withLock { $0 } }

  /// Every symbol active on any watchlist, each once, in immortal order.
  public var activeSymbols: [Symbol] {
    lists.withLock { lists in
      var seen = Set<Symbol>()
      return ImmortalID.allCases.flatMap { lists[$0]?.activeSymbols ?? [] }.filter { seen.insert($0).inserted }
    }
  }

  /// Applies an edit atomically and returns the new list.
  public func edit(_ id: ImmortalID, _ body: (inout Watchlist) throws(WatchlistError) -> Void) throws(WatchlistError) -> Watchlist
  {
    try lists.withLock { (lists: inout [ImmortalID: Watchlist]) throws(WatchlistError) -> Watchlist in
      var list = lists[id] ?? Watchlist(symbols: [])
      try body(&list)
      lists[id] = list
      return list
    }
  }

  public func replace(_ id: ImmortalID, with list: Watchlist) {
    lists.withLock { $0[id] = list }
  }
}
