import Foundation
import Logging
import MarketCore

/// A real provider: an adapter (symbols, requests, parsing) over the shared transport. The
/// core sees it as any other ``QuoteProvider``, and as a `HistoryProvider` or
/// `ProfileProvider` when its adapter has those data classes too (``HTTPHistoryAdapter``,
/// ``HTTPProfileAdapter``: see the `+History` and `+Profiles` extensions); breakers, limits and
/// caching stay in the core.
public struct HTTPQuoteProvider<Adapter: HTTPQuoteAdapter>: QuoteProvider {
  public let adapter: Adapter
  public let transport: HTTPTransport
  /// Total time one upstream call may take, connect to last byte.
  public let timeout: Duration
  let clock: any MarketClock
  /// Debug lines per upstream call and per parse failure; never a credential.
  let logger: Logger

  public init(
    adapter: Adapter, transport: HTTPTransport, timeout: Duration = .seconds(8), clock: any MarketClock,
    logger: Logger = HTTPTransport.silentLogger
  ) {
    self.adapter = adapter
    self.transport = transport
    self.timeout = timeout
    self.clock = clock
    self.logger = logger
  }

  public var id: ProviderID { adapter.id }
  public var capabilities: ProviderCapabilities { adapter.capabilities }

  public func canServe(_ symbol: Symbol) -> Bool { adapter.canServe(symbol) }

  /// One upstream call per request of the adapter's plan (the core already cuts batches to
  /// the adapter's size, so normally one).
  public func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>] {
    let plan = adapter.plan(for: symbols)
    var results: [Symbol: Result<Quote, ProviderError>] = plan.rejected.mapValues { .failure($0) }
    for request in plan.requests {
      let response = try await perform(request)
      let parsed: [Symbol: Result<Quote, ProviderError>]
      do {
        // A repaired quote carries what was repaired, for the core to announce.
        parsed = try adapter.parseWithRepairs(response).mapValues { result in
          result.map { normalized in
            var quote = normalized.quote
            quote.repairs = normalized.repairs.map(\.description)
            return quote
          }
        }
      } catch {
        logRefusal(of: response, error)
        throw error
      }
      results.merge(parsed) { $1 }
    }
    return results
  }

  /// One upstream call of any data class, stamped with this provider's clock.
  func perform(_ request: HTTPRequestSpec) async throws(ProviderError) -> HTTPResponseSnapshot {
    let clock = self.clock
    return try await transport.perform(
      request, timeout: timeout, receivedAt: { clock.wallNow() }, source: adapter.id, logger: logger)
  }

  /// A debug line for an answer the adapter refused: its status and size, never its body.
  func logRefusal(of response: HTTPResponseSnapshot, _ error: ProviderError) {
    logger.debug(
      "upstream answer refused", metadata: ["provider": "\(adapter.id)", "response": "\(response)", "error": "\(error)"])
  }
}
