/// A source of quotes: the simulated market, or an adapter for a real HTTP API.
///
/// Providers only fetch and normalise. Caching, retries, breakers and routing belong to the
/// core so every provider gets them the same way.
public protocol QuoteProvider: Sendable {
  var id: ProviderID { get }
  var capabilities: ProviderCapabilities { get }

  /// One symbol. Throws ``ProviderError``.
  func quote(for symbol: Symbol) async throws -> Quote

  /// At most `capabilities.maximumBatchSize` symbols in one upstream call. A symbol missing
  /// from the result failed as a whole batch; per-symbol failures come back as `.failure`.
  func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>]

  /// Whether the router may ask this provider for `symbol`; by default, what the capabilities
  /// declare. Adapters with their own symbol tables narrow it further.
  func canServe(_ symbol: Symbol) -> Bool
}

extension QuoteProvider {
  /// Default for providers without a batch endpoint: one call per symbol, concurrently.
  public func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>] {
    await withTaskGroup(of: (Symbol, Result<Quote, ProviderError>).self) { group in
      for symbol in symbols {
        group.addTask {
          do { return (symbol, .success(try await quote(for: symbol))) } catch { return (symbol, .failure(.from(error))) }
        }
      }
      var results: [Symbol: Result<Quote, ProviderError>] = [:]
      for await (symbol, result) in group { results[symbol] = result }
      return results
    }
  }

  public func canServe(_ symbol: Symbol) -> Bool { capabilities.canServe(symbol) }
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
