/// A provider whose API blocks the calling thread (a vendor SDK, a file or socket read).
public protocol SynchronousQuoteProvider: Sendable {
  var id: ProviderID { get }
  var capabilities: ProviderCapabilities { get }
  func quoteBlocking(for symbol: Symbol) throws -> Quote
  func quotesBlocking(for symbols: [Symbol]) throws -> [Symbol: Result<Quote, ProviderError>]
}

extension SynchronousQuoteProvider {
  public func quotesBlocking(for symbols: [Symbol]) throws -> [Symbol: Result<Quote, ProviderError>] {
    var results: [Symbol: Result<Quote, ProviderError>] = [:]
    for symbol in symbols {
      do { results[symbol] = .success(try quoteBlocking(for: symbol)) } catch { results[symbol] = .failure(.from(error)) }
    }
    return results
  }
}

/// Makes a blocking provider an async ``QuoteProvider`` by running its calls on a bounded
/// ``BlockingThreadPool``, never on the cooperative pool (the seed's executor-based fallback).
public struct BlockingProviderAdapter<Wrapped: SynchronousQuoteProvider>: QuoteProvider {
  public let wrapped: Wrapped
  private let pool: BlockingThreadPool

  public init(_ wrapped: Wrapped, pool: BlockingThreadPool) {
    self.wrapped = wrapped
    self.pool = pool
  }

  public var id: ProviderID { wrapped.id }

  public var capabilities: ProviderCapabilities {
    var capabilities = wrapped.capabilities
    capabilities.isSynchronous = true
    return capabilities
  }

  public func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>] {
    let wrapped = self.wrapped
    do {
      return try await pool.run { try wrapped.quotesBlocking(for: symbols) }
    } catch let rejection as BlockingThreadPool.Rejection {
      throw ProviderError.transport("blocking pool: \(rejection)")
    }
  }
}
