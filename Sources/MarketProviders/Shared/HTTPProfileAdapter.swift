import MarketCore

/// One real HTTP provider's company profiles, without I/O: the request for a batch, the
/// profiles of its answer, and the answer's errors read by their words. ``HTTPQuoteProvider``
/// runs it over the shared transport and is then a `ProfileProvider`.
public protocol HTTPProfileAdapter: HTTPQuoteAdapter {
  /// Symbols one profile request may carry (1 for most providers).
  var profileBatchSize: Int { get }

  /// Whether it has profiles for `symbol` on this configuration; by default what
  /// ``canServe(_:)`` allows.
  func servesProfile(of symbol: Symbol) -> Bool

  /// One upstream request for `symbols` (non-empty, at most ``profileBatchSize``). Throws
  /// `unsupportedSymbol` for a symbol it has no profile endpoint for.
  func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec

  /// A result for every symbol in `response.symbols`; throws for failures of the whole
  /// response (unauthorized, rate limited, a body that is not the expected shape).
  func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>]
}

extension HTTPProfileAdapter {
  public var profileBatchSize: Int { 1 }

  public func servesProfile(of symbol: Symbol) -> Bool { canServe(symbol) }

  /// The provider symbols of a profile batch, checking the preconditions of
  /// ``makeProfileRequest(for:)``.
  func profileBatch(_ symbols: [Symbol]) throws(ProviderError) -> [(symbol: Symbol, providerSymbol: String)] {
    precondition(
      !symbols.isEmpty && symbols.count <= profileBatchSize,
      "\(id): \(symbols.count) symbols in one profile request; the limit is \(profileBatchSize)")
    var mapped: [(symbol: Symbol, providerSymbol: String)] = []
    for symbol in symbols {
      guard servesProfile(of: symbol), let providerSymbol = providerSymbol(for: symbol) else {
        throw .unsupportedSymbol(symbol)
      }
      mapped.append((symbol, providerSymbol))
    }
    return mapped
  }
}

extension HTTPResponseSnapshot {
  /// The same failure for every symbol a profile request asked for.
  func failingEveryProfile(with error: (Symbol) -> ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    var results: [Symbol: Result<Profile, ProviderError>] = [:]
    for symbol in symbols { results[symbol] = .failure(error(symbol)) }
    return results
  }
}
