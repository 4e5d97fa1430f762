import Foundation
import MarketCore

/// Everything the dashboard shows and remembers. Rendering is a pure function of it, and
/// only ``update(_:_:)`` changes it.
public struct DashboardState: Hashable, Sendable {
  /// Footer messages stay this long.
  public static let messageDuration: TimeInterval = 5

  /// The largest screen the dashboard draws. A terminal may report far more (tmux allows
  /// 10000x10000: a hundred million cells, 800 MB a frame); the dashboard then fills this
  /// much of its top-left corner.
  public static let maximumSize = TerminalSize(width: 1000, height: 500)

  /// The screen drawn: the terminal's size, at most ``maximumSize``.
  public var size: TerminalSize {
    didSet { size = Self.clamped(size) }
  }
  /// The wall-clock time, from ticks.
  public var now: Date
  /// Offset of the displayed clock from UTC.
  public var utcOffset: Int
  public var connection: ConnectionState = .inProcess
  /// The live data; ``shown`` is what the panes draw.
  public var market = MarketView()
  /// The copy the display shows while paused.
  public var frozen: MarketView?
  public var hasSnapshot = false
  /// Symbols whose sparkline history has been asked for, so each is asked once.
  var sparklinesRequested: Set<Symbol> = []

  public var focus: Focus = .immortal(.luDongbin)
  /// The immortal `w` edits when the focus is elsewhere, and the one scrolled into view.
  public var lastImmortal: ImmortalID = .luDongbin
  public var symbolSelection: [ImmortalID: Int] = [:]
  public var providerSelection = 0
  /// Lines scrolled away from the newest event.
  public var eventsScroll = 0
  public var overlay: Overlay?
  /// The symbol opened with `Enter`, drawn instead of the panes until `Esc`.
  public var detail: DetailView?
  /// Lines scrolled in the help overlay.
  public var helpScroll = 0
  public var sortOrder: SortOrder = .watchlist
  public var themeNames: [String]
  public var themeIndex = 0
  /// Set under `NO_COLOR`: only the monochrome theme may be used.
  public var themeLocked = false
  public var message: StatusMessage?

  public init(
    size: TerminalSize, now: Date, utcOffset: Int = 0, themeNames: [String] = Theme.builtInThemes.map(\.name),
    themeName: String? = nil
  ) {
    self.size = Self.clamped(size)
    self.now = now
    self.utcOffset = utcOffset
    self.themeNames = themeNames.isEmpty ? ["default"] : themeNames
    if let themeName, let index = self.themeNames.firstIndex(of: themeName) { self.themeIndex = index }
  }

  static func clamped(_ size: TerminalSize) -> TerminalSize {
    TerminalSize(width: min(size.width, maximumSize.width), height: min(size.height, maximumSize.height))
  }

  public var shown: MarketView { frozen ?? market }
  public var isPaused: Bool { frozen != nil }
  public var themeName: String { themeNames[min(max(0, themeIndex), themeNames.count - 1)] }

  /// Ages and staleness of the shown data are measured to this.
  public var dataTime: Date { frozen?.frozenAt ?? now }

  /// The keymap scopes in force, most specific first.
  public var activeScopes: [KeyScope] {
    switch overlay {
    case .help: return [.help]
    case .confirmClearCache: return [.confirmation]
    case .watchlistEditor(let editor): return editor.input == nil ? [.watchlistEditor] : [.symbolInput]
    case nil where detail != nil: return [.detail]
    case nil: return (focus.scope.map { [$0] } ?? []) + [.global]
    }
  }

  /// The symbols an immortal's pane lists: active ones, in the chosen sort order.
  public func displayedSymbols(_ immortal: ImmortalID) -> [Symbol] {
    let view = shown
    let active = view.watchlist(immortal).activeSymbols
    func percent(_ symbol: Symbol) -> Double { view.quotes[symbol]?.quote.changePercent ?? 0 }
    switch sortOrder {
    case .watchlist: return active
    case .name: return active.sorted()
    case .gainersFirst: return active.enumerated().sorted { (percent($0.1), -$0.0) > (percent($1.1), -$1.0) }.map(\.1)
    case .losersFirst: return active.enumerated().sorted { (percent($0.1), $0.0) < (percent($1.1), $1.0) }.map(\.1)
    }
  }

  /// Whether any simulated value is on screen (the header's SIMULATED badge).
  public var showsSimulatedData: Bool {
    let view = shown
    for immortal in ImmortalID.allCases {
      for symbol in view.watchlist(immortal).activeSymbols where view.quotes[symbol]?.quote.isSimulated == true { return true }
    }
    return false
  }

  /// How many shown values are stale.
  public var staleCount: Int {
    let view = shown
    var seen = Set<Symbol>()
    var count = 0
    for immortal in ImmortalID.allCases {
      for symbol in view.watchlist(immortal).activeSymbols where seen.insert(symbol).inserted {
        if let row = view.quotes[symbol], row.isStale(at: dataTime, timeToLive: view.quoteTimeToLive) { count += 1 }
      }
    }
    return count
  }

  public var selectedProvider: ProviderStatus? {
    let providers = shown.providers
    guard !providers.isEmpty else { return nil }
    return providers[min(max(0, providerSelection), providers.count - 1)]
  }
}
