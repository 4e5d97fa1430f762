import MarketCore

extension QuoteProvider {
  /// One symbol, throwing: how tests ask a provider directly. The core never calls this: it
  /// sends every request as a batch (of one) through ``quotes(for:)``.
  public func quote(for symbol: Symbol) async throws -> Quote {
    guard let result = try await quotes(for: [symbol])[symbol] else {
      throw ProviderError.malformedBody(excerpt: "no answer for \(symbol)")
    }
    return try result.get()
  }
}
