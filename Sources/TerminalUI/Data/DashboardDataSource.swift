import Foundation
import MarketCore

/// Where the dashboard's data comes from and where its operator commands go.
///
/// In process it wraps the `MarketDataCore` (`lianyaohu dash`); over the control API it
/// mirrors a core that runs elsewhere (`lianyaohu dash --connect URL`). The dashboard is the
/// same either way.
public protocol DashboardDataSource: Sendable {
  /// Everything the panes show, as of now.
  func snapshot() async -> DashboardSnapshot
  /// What changes from now on: core events (quote updates, breaker transitions, operator
  /// actions, errors) and, from a remote core, its statuses and the connection.
  func updates() -> AsyncStream<DashboardUpdate>
  /// Carries out one operator command; the success value is a one-line confirmation.
  func perform(_ command: OperatorCommand) async -> Result<String, OperatorCommandError>
  /// A symbol's bars over a window, for the detail view. Called off the loop: it may reach
  /// providers and take seconds.
  func history(_ request: HistoryRequest) async -> Result<Served<HistorySeries>, DetailLoadError>
  /// What a company is, for the detail view.
  func profile(_ symbol: Symbol) async -> Result<Served<Profile>, DetailLoadError>
  /// Recent closes per symbol, oldest first, at most ``QuoteRow/sparklineCapacity`` each:
  /// sparklines that start full. Symbols without intraday history are left out.
  func sparklineHistory(_ symbols: [Symbol]) async -> [Symbol: [Double]]
}

extension DashboardDataSource {
  /// A source that has no history says so in the view.
  public func history(_ request: HistoryRequest) async -> Result<Served<HistorySeries>, DetailLoadError> {
    .failure(.notAvailable("history"))
  }

  public func profile(_ symbol: Symbol) async -> Result<Served<Profile>, DetailLoadError> {
    .failure(.notAvailable("a profile"))
  }

  public func sparklineHistory(_ symbols: [Symbol]) async -> [Symbol: [Double]] { [:] }
}

/// How sparklines are seeded from history: the closes of the last day's five-minute bars.
public enum SparklineHistory {
  /// Five days, so a weekend or holiday still finds the last session.
  public static func request(for symbol: Symbol) -> HistoryRequest? {
    try? HistoryRequest(symbol: symbol, interval: .fiveMinutes, window: .range(.fiveDays))
  }

  /// The newest closes of a series, as many as a sparkline holds.
  public static func points(_ series: HistorySeries) -> [Double] {
    series.bars.suffix(QuoteRow.sparklineCapacity).map(\.close)
  }

  /// Every symbol's points through `history`, `atOnce` reads at a time so a first look does
  /// not crowd out quotes. Symbols without points are left out.
  public static func load(
    _ symbols: [Symbol], atOnce: Int, history: @escaping @Sendable (HistoryRequest) async -> HistorySeries?
  ) async -> [Symbol: [Double]] {
    await withTaskGroup(of: (Symbol, [Double]).self, returning: [Symbol: [Double]].self) { group in
      var pending = symbols[...]
      var loaded: [Symbol: [Double]] = [:]
      func startNext() {
        guard let symbol = pending.popFirst() else { return }
        group.addTask {
          guard let request = request(for: symbol), let series = await history(request) else { return (symbol, []) }
          return (symbol, points(series))
        }
      }
      for _ in 0..<max(1, atOnce) { startNext() }
      for await (symbol, closes) in group {
        if !closes.isEmpty { loaded[symbol] = closes }
        startNext()
      }
      return loaded
    }
  }
}

/// One look at the whole system, values only.
public struct DashboardSnapshot: Hashable, Sendable {
  /// Wall-clock time the snapshot was taken (the source's clock, not the terminal's).
  public var time: Date
  public var watchlists: [ImmortalID: Watchlist]
  /// The last value of every watchlist symbol that has one, however old.
  public var quotes: [Symbol: ServedQuote]
  /// In routing order.
  public var providers: [ProviderStatus]
  /// L1 first, then each shared tier present.
  public var cacheTiers: [CacheStatistics]
  /// Recent events other than quote updates, oldest first.
  public var recentEvents: [MarketEvent]
  /// How long a quote stays fresh; older values are shown as stale.
  public var quoteTimeToLive: Duration
  public var connection: ConnectionState
  /// Earlier prices per symbol, oldest first, one per sparkline interval: sparklines that
  /// start full after a restart. Rows that already have history keep theirs.
  public var history: [Symbol: [Double]] = [:]

  public init(
    time: Date, watchlists: [ImmortalID: Watchlist] = [:], quotes: [Symbol: ServedQuote] = [:],
    providers: [ProviderStatus] = [], cacheTiers: [CacheStatistics] = [], recentEvents: [MarketEvent] = [],
    quoteTimeToLive: Duration = .seconds(15), connection: ConnectionState = .inProcess
  ) {
    self.time = time
    self.watchlists = watchlists
    self.quotes = quotes
    self.providers = providers
    self.cacheTiers = cacheTiers
    self.recentEvents = recentEvents
    self.quoteTimeToLive = quoteTimeToLive
    self.connection = connection
  }
}

/// How the dashboard is attached to the core.
public enum ConnectionState: Hashable, Sendable {
  /// The core runs in this process.
  case inProcess
  case connected(String)
  /// The first attempt, before anything is known.
  case connecting(String)
  /// The connection failed or was lost; the source keeps retrying and stays here until it is
  /// connected again.
  case disconnected(String, reason: String)

  /// Text for the header; nil when there is nothing worth saying.
  public var badge: String? {
    switch self {
    case .inProcess, .connected: nil
    case .connecting(let endpoint): "CONNECTING \(endpoint)"
    case .disconnected(let endpoint, _): "DISCONNECTED \(endpoint) · retrying"
    }
  }

  /// The events pane's line when the dashboard moves into this state from `previous`; nil
  /// when nothing changed that an operator needs to read (a retry that failed again).
  public func eventText(after previous: ConnectionState) -> String? {
    switch (previous, self) {
    case (.connected, .connected), (.disconnected, .disconnected), (_, .inProcess), (_, .connecting): nil
    case (_, .connected(let endpoint)): "✓ connected to \(endpoint)"
    case (_, .disconnected(let endpoint, let reason)): "✗ disconnected from \(endpoint): \(reason); retrying with backoff"
    }
  }
}

/// What an operator can ask of the core from the dashboard.
public enum OperatorCommand: Hashable, Sendable, CustomStringConvertible {
  case tripProvider(ProviderID)
  case resetProvider(ProviderID)
  case setProviderEnabled(ProviderID, Bool)
  case toggleSymbol(ImmortalID, Symbol)
  case addSymbol(ImmortalID, Symbol)
  case removeSymbol(ImmortalID, Symbol)
  case clearCache

  /// Whether the command edits a watchlist: its outcome also belongs in the watchlist editor.
  public var editsWatchlist: Bool {
    switch self {
    case .toggleSymbol, .addSymbol, .removeSymbol: true
    case .tripProvider, .resetProvider, .setProviderEnabled, .clearCache: false
    }
  }

  public var description: String {
    switch self {
    case .tripProvider(let id): "trip \(id)"
    case .resetProvider(let id): "reset \(id)"
    case .setProviderEnabled(let id, let enabled): "\(enabled ? "enable" : "disable") \(id)"
    case .toggleSymbol(let immortal, let symbol): "toggle \(symbol) for \(Immortal.named(immortal).pinyin)"
    case .addSymbol(let immortal, let symbol): "add \(symbol) for \(Immortal.named(immortal).pinyin)"
    case .removeSymbol(let immortal, let symbol): "remove \(symbol) for \(Immortal.named(immortal).pinyin)"
    case .clearCache: "clear the cache"
    }
  }
}

/// Why an operator command did not happen, in words for the operator.
public struct OperatorCommandError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
