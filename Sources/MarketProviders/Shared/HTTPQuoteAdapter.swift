import MarketCore

/// One real HTTP quote provider, without I/O: it maps symbols, builds requests as values and
/// parses responses given as values.
///
/// The transport (added separately) executes ``HTTPRequestSpec``s and hands back
/// ``HTTPResponseSnapshot``s; everything provider-specific lives behind this protocol, so each
/// adapter is tested on recorded bodies alone.
public protocol HTTPQuoteAdapter: Sendable {
  var id: ProviderID { get }
  /// What the router may ask for: asset classes, exchanges, symbols per request.
  var capabilities: ProviderCapabilities { get }

  /// The provider's own spelling of a canonical symbol (`aapl.us`, `X:BTCUSD`), or nil when
  /// the provider does not serve it.
  func providerSymbol(for symbol: Symbol) -> String?

  /// One upstream request for `symbols`.
  ///
  /// `symbols` must be non-empty and at most `capabilities.maximumBatchSize` long (a
  /// programming error otherwise; ``plan(for:)`` splits any list correctly). Throws
  /// `unsupportedSymbol` for a symbol ``providerSymbol(for:)`` cannot map.
  func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec

  /// A result for every symbol in `response.symbols`; throws for failures of the whole
  /// response (unauthorized, rate limited, quota, a body that is not the expected shape).
  func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>]

  /// ``parse(_:)``, with the fields normalisation recomputed for each quote because the
  /// provider's own fields disagreed (``QuoteRepair``), so the caller can report them.
  ///
  /// The default wraps ``parse(_:)`` and reports no repairs.
  func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>]
}

/// Requests covering a list of symbols, and the symbols no request can cover.
public struct RequestPlan: Hashable, Sendable {
  public var requests: [HTTPRequestSpec]
  /// Symbols the provider does not serve, each with `unsupportedSymbol`.
  public var rejected: [Symbol: ProviderError]

  public init(requests: [HTTPRequestSpec], rejected: [Symbol: ProviderError]) {
    self.requests = requests
    self.rejected = rejected
  }
}

extension HTTPQuoteAdapter {
  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    try parse(response).mapValues { $0.map { NormalizedQuote(quote: $0) } }
  }

  /// True when both the declared capabilities and the symbol mapping allow the symbol.
  public func canServe(_ symbol: Symbol) -> Bool {
    capabilities.canServe(symbol) && providerSymbol(for: symbol) != nil
  }

  /// Splits `symbols` (deduplicated, order kept) into requests of at most the provider's
  /// batch size, setting aside the ones it has no spelling for. Whether the provider serves a
  /// symbol at all was decided once, by the router (through ``canServe(_:)``); this only maps.
  public func plan(for symbols: [Symbol]) -> RequestPlan {
    var seen = Set<Symbol>()
    var mappable: [Symbol] = []
    var rejected: [Symbol: ProviderError] = [:]
    for symbol in symbols where seen.insert(symbol).inserted {
      if providerSymbol(for: symbol) != nil { mappable.append(symbol) } else { rejected[symbol] = .unsupportedSymbol(symbol) }
    }
    let size = capabilities.maximumBatchSize
    var requests: [HTTPRequestSpec] = []
    for start in stride(from: 0, to: mappable.count, by: size) {
      let batch = Array(mappable[start..<min(start + size, mappable.count)])
      do {
        requests.append(try makeRequest(for: batch))
      } catch {
        for symbol in batch { rejected[symbol] = error }
      }
    }
    return RequestPlan(requests: requests, rejected: rejected)
  }

  /// The provider symbols for a batch, checking the preconditions of ``makeRequest(for:)``.
  func mappedBatch(_ symbols: [Symbol]) throws(ProviderError) -> [(symbol: Symbol, providerSymbol: String)] {
    precondition(
      !symbols.isEmpty && symbols.count <= capabilities.maximumBatchSize,
      "\(id): \(symbols.count) symbols in one request; split with plan(for:)")
    var mapped: [(symbol: Symbol, providerSymbol: String)] = []
    for symbol in symbols {
      guard let providerSymbol = providerSymbol(for: symbol) else { throw .unsupportedSymbol(symbol) }
      mapped.append((symbol, providerSymbol))
    }
    return mapped
  }

  /// Looks up which requested symbol a provider's echoed symbol answers, case-insensitively.
  func requestedSymbols(of response: HTTPResponseSnapshot) -> [String: Symbol] {
    var byProviderSymbol: [String: Symbol] = [:]
    for symbol in response.symbols {
      guard let providerSymbol = providerSymbol(for: symbol) else { continue }
      byProviderSymbol[providerSymbol.uppercased()] = symbol
    }
    return byProviderSymbol
  }
}

extension Dictionary where Key == Symbol, Value == Result<NormalizedQuote, ProviderError> {
  /// The quotes alone, for ``HTTPQuoteAdapter/parse(_:)``.
  var withoutRepairs: [Symbol: Result<Quote, ProviderError>] { mapValues { $0.map(\.quote) } }
}

extension HTTPResponseSnapshot {
  /// The same error for every symbol the request asked for: a per-symbol answer (unknown,
  /// not in the plan) that came for the whole request.
  func failingEverySymbol(with error: (Symbol) -> ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    var results: [Symbol: Result<NormalizedQuote, ProviderError>] = [:]
    for symbol in symbols { results[symbol] = .failure(error(symbol)) }
    return results
  }
}
