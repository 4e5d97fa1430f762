import Foundation
import MarketCore

/// A core event other than a quote update, as the live stream sends it.
public struct EventBody: Codable, Sendable {
  public var time: Date
  public var kind: String
  public var summary: String
  public var provider: String?
  public var symbols: [String]?
  public var errorClass: String?
  public var from: String?
  public var to: String?
  public var reason: String?
  public var immortal: String?
  public var removed: Int?

  enum CodingKeys: String, CodingKey {
    case time, kind, summary, provider, symbols
    case errorClass = "error_class"
    case from, to, reason, immortal, removed
  }

  public init(_ event: MarketEvent) {
    time = event.time
    summary = event.summary
    switch event.kind {
    case .quoteUpdated(let served):
      kind = "quote_updated"
      provider = served.source.name
      symbols = [served.symbol.text]
    case .providerError(let id, let error, let symbols):
      kind = "provider_error"
      provider = id.name
      self.symbols = symbols.map(\.text)
      errorClass = error.errorClass
    case .breakerTransition(let id, let from, let to, let reason):
      kind = "breaker_transition"
      provider = id.name
      self.from = from
      self.to = to
      self.reason = reason
    case .operatorAction:
      kind = "operator_action"
    case .cacheInvalidated(_, let removed):
      kind = "cache_invalidated"
      self.removed = removed
    case .watchlistChanged(let id, _):
      kind = "watchlist_changed"
      immortal = id.rawValue
    case .dataQuality:
      kind = "data_quality"
    case .persistenceFailed:
      kind = "persistence_failed"
    }
  }
}

/// The first event of every stream: everything a dashboard needs to draw its first frame.
public struct SnapshotBody: Codable, Sendable {
  public var immortals: [ImmortalBody]
  public var providers: [ProviderBody]
  public var cache: CacheBody
  public var events: [EventBody]
  /// The server's quote TTL: a client ages quotes into stale by it, as the server does.
  /// Absent from servers before it was added.
  public var quoteTTLSeconds: Double?

  enum CodingKeys: String, CodingKey {
    case immortals, providers, cache, events
    case quoteTTLSeconds = "quote_ttl_seconds"
  }

  public init(
    immortals: [ImmortalBody], providers: [ProviderBody], cache: CacheBody, events: [EventBody], quoteTTLSeconds: Double?
  ) {
    self.immortals = immortals
    self.providers = providers
    self.cache = cache
    self.events = events
    self.quoteTTLSeconds = quoteTTLSeconds
  }
}
