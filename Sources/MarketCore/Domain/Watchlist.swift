/// The symbols one immortal debates, in the operator's order, each active or set aside.
///
/// Inactive symbols stay on the list (so toggling back is one key) but are not refreshed.
public struct Watchlist: Hashable, Sendable, Codable {
  public struct Entry: Hashable, Sendable, Codable {
    public var symbol: Symbol
    public var isActive: Bool

    public init(symbol: Symbol, isActive: Bool = true) {
      self.symbol = symbol
      self.isActive = isActive
    }
  }

  /// More than this and a pane cannot show them, nor a free-tier provider keep them fresh.
  public static let maximumEntries = 32

  public private(set) var entries: [Entry]

  public init(symbols: [Symbol]) {
    var seen = Set<Symbol>()
    self.entries = symbols.filter { seen.insert($0).inserted }.prefix(Self.maximumEntries).map { Entry(symbol: $0) }
  }

  public init(entries: [Entry]) {
    var seen = Set<Symbol>()
    self.entries = entries.filter { seen.insert($0.symbol).inserted }.prefix(Self.maximumEntries).map { $0 }
  }

  public var activeSymbols: [Symbol] { entries.filter(\.isActive).map(\.symbol) }
  public var symbols: [Symbol] { entries.map(\.symbol) }

  public func contains(_ symbol: Symbol) -> Bool { entries.contains { $0.symbol == symbol } }

  /// Flips a symbol between active and inactive; returns its new state.
  @discardableResult
  public mutating func toggle(_ symbol: Symbol) throws(WatchlistError) -> Bool {
    guard let index = entries.firstIndex(where: { $0.symbol == symbol }) else { throw .notOnWatchlist(symbol) }
    entries[index].isActive.toggle()
    return entries[index].isActive
  }

  public mutating func setActive(_ symbol: Symbol, _ isActive: Bool) throws(WatchlistError) {
    guard let index = entries.firstIndex(where: { $0.symbol == symbol }) else { throw .notOnWatchlist(symbol) }
    entries[index].isActive = isActive
  }

  public mutating func add(_ symbol: Symbol, isActive: Bool = true) throws(WatchlistError) {
    if contains(symbol) { throw .alreadyOnWatchlist(symbol) }
    if entries.count >= Self.maximumEntries { throw .full(limit: Self.maximumEntries) }
    entries.append(Entry(symbol: symbol, isActive: isActive))
  }

  public mutating func remove(_ symbol: Symbol) throws(WatchlistError) {
    guard let index = entries.firstIndex(where: { $0.symbol == symbol }) else { throw .notOnWatchlist(symbol) }
    entries.remove(at: index)
  }
}

public enum WatchlistError: Error, Hashable, Sendable, CustomStringConvertible {
  case notOnWatchlist(Symbol)
  case alreadyOnWatchlist(Symbol)
  case full(limit: Int)

  public var description: String {
    switch self {
    case .notOnWatchlist(let symbol): "\(symbol) is not on the watchlist"
    case .alreadyOnWatchlist(let symbol): "\(symbol) is already on the watchlist"
    case .full(let limit): "the watchlist is full (at most \(limit) symbols)"
    }
  }
}

/// One operator edit to a watchlist, as a value: the dashboard, the control API and cluster
/// events all speak it.
public enum WatchlistEdit: Hashable, Sendable, Codable {
  case toggle(Symbol)
  case setActive(Symbol, Bool)
  case add(Symbol)
  case remove(Symbol)

  public func apply(to list: inout Watchlist) throws(WatchlistError) {
    switch self {
    case .toggle(let symbol): try list.toggle(symbol)
    case .setActive(let symbol, let isActive): try list.setActive(symbol, isActive)
    case .add(let symbol): try list.add(symbol)
    case .remove(let symbol): try list.remove(symbol)
    }
  }
}
