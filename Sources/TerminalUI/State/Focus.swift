import MarketCore

/// The pane that receives keys; `Tab` walks ``order``.
public enum Focus: Hashable, Sendable {
  case immortal(ImmortalID)
  case providers
  case breakers
  case cache
  case events

  public static let order: [Focus] = ImmortalID.allCases.map { .immortal($0) } + [.providers, .breakers, .cache, .events]

  /// The keymap scope of the focused pane (beside `global`).
  public var scope: KeyScope? {
    switch self {
    case .immortal: .immortal
    case .providers, .breakers: .providers
    case .events: .events
    case .cache: nil
    }
  }

  public var immortal: ImmortalID? {
    if case .immortal(let id) = self { return id }
    return nil
  }

  /// The pane after this one (or before it, for a negative step), wrapping around.
  public func moved(by step: Int) -> Focus {
    let index = Self.order.firstIndex(of: self) ?? 0
    let count = Self.order.count
    return Self.order[((index + step) % count + count) % count]
  }
}

/// How symbols are ordered inside each immortal's pane; `s` cycles.
public enum SortOrder: String, CaseIterable, Hashable, Sendable {
  case watchlist
  case name
  case gainersFirst
  case losersFirst

  public var label: String {
    switch self {
    case .watchlist: "watchlist"
    case .name: "name"
    case .gainersFirst: "change % ↓"
    case .losersFirst: "change % ↑"
    }
  }

  public var next: SortOrder {
    let all = Self.allCases
    let index = all.firstIndex(of: self) ?? 0
    return all[(index + 1) % all.count]
  }
}
