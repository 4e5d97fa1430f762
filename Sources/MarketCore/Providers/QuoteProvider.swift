/// A source of market data: the simulated market, or an adapter for a real HTTP API.
///
/// Providers only fetch and normalise. Caching, retries, breakers, validation and routing
/// belong to the core so every provider gets them the same way. What a provider can answer is
/// the capability protocols it adopts (``QuoteProvider``, one per data class) narrowed by
/// ``canServe(_:)``, which the router asks once per call; nothing below the router asks again.
public protocol MarketDataProvider: Sendable {
  var id: ProviderID { get }
  var capabilities: ProviderCapabilities { get }

  /// Whether the router may ask this provider about `symbol`; by default, what the
  /// capabilities declare. Only a class the provider documents as unsupported belongs here:
  /// anything else is asked once, and an "unknown symbol" answer is remembered by the core.
  func canServe(_ symbol: Symbol) -> Bool
}

extension MarketDataProvider {
  public func canServe(_ symbol: Symbol) -> Bool { capabilities.canServe(symbol) }
}

/// A provider of last prices. Batch-first: a single symbol is a batch of one.
public protocol QuoteProvider: MarketDataProvider {
  /// At most `capabilities.maximumBatchSize` symbols in one upstream call. Per-symbol
  /// failures come back as `.failure`; a symbol absent from the result counts as unanswered.
  /// Throws ``ProviderError`` for a failure of the whole call.
  func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>]
}

/// What a provider declares it can do, so the router asks it only for what it can answer.
public struct ProviderCapabilities: Hashable, Sendable {
  public enum Exchanges: Hashable, Sendable {
    /// Any listing.
    case all
    /// US listings (no exchange suffix) only.
    case unitedStatesOnly
    /// US listings plus these suffixes (`HK`, `SS`).
    case unitedStatesAnd(Set<String>)
  }

  public var assetClasses: Set<AssetClass>
  public var exchanges: Exchanges
  /// Symbols per upstream call; 1 means no batch endpoint.
  public var maximumBatchSize: Int
  /// True when the provider blocks its thread (a synchronous SDK); the core then runs it on a
  /// bounded thread pool instead of the cooperative pool.
  public var isSynchronous: Bool

  public init(
    assetClasses: Set<AssetClass> = Set(AssetClass.allCases), exchanges: Exchanges = .all,
    maximumBatchSize: Int = 1, isSynchronous: Bool = false
  ) {
    self.assetClasses = assetClasses
    self.exchanges = exchanges
    self.maximumBatchSize = max(1, maximumBatchSize)
    self.isSynchronous = isSynchronous
  }

  public func canServe(_ symbol: Symbol) -> Bool {
    guard assetClasses.contains(symbol.assetClass) else { return false }
    guard let suffix = symbol.exchangeSuffix else { return true }
    switch exchanges {
    case .all: return true
    case .unitedStatesOnly: return false
    case .unitedStatesAnd(let suffixes): return suffixes.contains(String(suffix))
    }
  }
}

/// A provider of OHLCV bars.
public protocol HistoryProvider: MarketDataProvider {
  /// Bar sizes it serves. A provider without intraday bars (or without any, on the plan it
  /// is configured with) leaves them out, and the router never asks it for them.
  var historyIntervals: Set<BarInterval> { get }

  /// Whether its history endpoint serves `symbol` at all; by default every symbol
  /// ``canServe(_:)`` allows. A provider whose bars cover fewer classes than its quotes
  /// (Alpha Vantage's daily series: equities only) narrows it here, so the router never asks.
  func servesHistory(of symbol: Symbol) -> Bool

  /// The bars of `interval` starting in `[from, to)` (epoch seconds), oldest first, in one
  /// upstream call. An empty answer is "no bars there", not a failure. Throws
  /// ``ProviderError`` (`unknownSymbol` when the provider does not know the symbol).
  func history(for symbol: Symbol, interval: BarInterval, from: Int64, to: Int64) async throws -> HistoryAnswer
}

extension HistoryProvider {
  public func servesHistory(of symbol: Symbol) -> Bool { true }
}

/// A provider of company profiles. Batch-first, as ``QuoteProvider``.
public protocol ProfileProvider: MarketDataProvider {
  /// Whether it has a profile endpoint for `symbol` on this configuration; by default every
  /// symbol ``canServe(_:)`` allows. False for every symbol says "no profiles here" (Yahoo
  /// without a session), so the router never asks.
  func servesProfile(of symbol: Symbol) -> Bool

  func profiles(for symbols: [Symbol]) async throws -> [Symbol: Result<Profile, ProviderError>]
}

extension ProfileProvider {
  public func servesProfile(of symbol: Symbol) -> Bool { true }
}
