import MarketCore

/// An adapter with company profiles makes its provider a `ProfileProvider`.
extension HTTPQuoteProvider: ProfileProvider where Adapter: HTTPProfileAdapter {
  public func servesProfile(of symbol: Symbol) -> Bool { adapter.servesProfile(of: symbol) }

  /// One upstream call per ``HTTPProfileAdapter/profileBatchSize`` symbols. The core cuts
  /// profile batches to the quote batch size, so an adapter whose profile endpoint takes one
  /// symbol (Yahoo with a session) makes several calls for one batch, one after another.
  public func profiles(for symbols: [Symbol]) async throws -> [Symbol: Result<Profile, ProviderError>] {
    var results: [Symbol: Result<Profile, ProviderError>] = [:]
    var asked: [Symbol] = []
    for symbol in symbols where results[symbol] == nil && !asked.contains(symbol) {
      if adapter.servesProfile(of: symbol), adapter.providerSymbol(for: symbol) != nil {
        asked.append(symbol)
      } else {
        results[symbol] = .failure(.unsupportedSymbol(symbol))
      }
    }
    let size = max(1, adapter.profileBatchSize)
    for start in stride(from: 0, to: asked.count, by: size) {
      let batch = Array(asked[start..<min(start + size, asked.count)])
      let request = try adapter.makeProfileRequest(for: batch)
      let response = try await perform(request)
      do {
        results.merge(try adapter.parseProfiles(response)) { $1 }
      } catch {
        logRefusal(of: response, error)
        throw error
      }
    }
    return results
  }
}
