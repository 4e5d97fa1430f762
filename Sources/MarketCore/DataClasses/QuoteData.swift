import Foundation

extension DataKind {
  /// Last prices: one value per symbol, `v1:quote:AAPL`.
  public static let quote = DataKind("quote")
}

/// Quotes as a data class of the read pipeline: keyed by symbol, served by ``QuoteProvider``s,
/// checked by ``DataQuality``, kept in ``QuoteTier``s, announced as `quoteUpdated`.
struct QuoteData: DataClassDefinition {
  let policy: CachePolicy
  let quality: DataQuality

  var kind: DataKind { .quote }

  func policy(for symbol: Symbol) -> CachePolicy { policy }

  func key(for symbol: Symbol) -> CacheKey { CacheKey(.quote, symbol) }

  func symbol(of symbol: Symbol) -> Symbol { symbol }

  func source(_ provider: any MarketDataProvider, for symbol: Symbol) -> (any QuoteProvider)? {
    provider as? any QuoteProvider
  }

  func batchSize(of source: any QuoteProvider) -> Int { source.capabilities.maximumBatchSize }

  func fetch(_ symbols: [Symbol], from source: any QuoteProvider) async throws -> [Symbol: Result<Quote, ProviderError>] {
    try await source.quotes(for: symbols)
  }

  func problem(with quote: Quote, for symbol: Symbol) -> String? {
    guard quote.symbol == symbol else { return "a quote for \(quote.symbol) came back for \(symbol)" }
    return quality.problem(with: quote)
  }

  func isOlder(_ quote: Quote, than held: Quote) -> Bool { quality.goesBackwards(quote, from: held) }

  func divergence(between quote: Quote, and other: Quote) -> String? { quality.divergence(between: quote, and: other) }

  func announcements(of served: ServedQuote) -> [MarketEvent.Kind] {
    served.quote.repairs.map { .dataQuality("repaired: \(served.symbol) from \(served.source): " + $0) }
      + [.quoteUpdated(served)]
  }

  func port(on tier: any CacheTier) -> TierPort<Symbol, Quote>? {
    guard let tier = tier as? any QuoteTier else { return nil }
    return TierPort(tier: tier, load: { await tier.load($0) }, store: { tier.store($0) })
  }
}
