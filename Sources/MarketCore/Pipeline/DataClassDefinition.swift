/// One kind of market data the core serves (quotes; history series and profiles next), as the
/// little that differs between kinds. The ``ReadPipeline`` does everything else, once, for all
/// of them: memory cache, single-flight, tiers, routing and fan-out, the recorded provider call
/// with validation inside it, acceptance and events. Adding a data class is a new definition,
/// never a change to the pipeline.
public protocol DataClassDefinition: Sendable {
  /// What a caller asks for: a symbol, or a symbol with an interval and a window.
  associatedtype Request: Hashable & Sendable & CustomStringConvertible
  associatedtype Value: MarketValue
  /// The provider capability this class needs (``QuoteProvider`` for quotes).
  associatedtype Source: Sendable

  var kind: DataKind { get }
  /// TTL, refresh-ahead, staleness and negative TTL of one request's value (a past block of
  /// history bars never changes; the current one refreshes like a quote).
  func policy(for request: Request) -> CachePolicy

  /// The versioned, parameterised key of one request.
  func key(for request: Request) -> CacheKey
  func symbol(of request: Request) -> Symbol

  /// The provider as a source of this class for `request`, or nil when it lacks the
  /// capability (history: the class, and bars of the request's size).
  func source(_ provider: any MarketDataProvider, for request: Request) -> Source?
  /// Requests one upstream call to this source may carry.
  func batchSize(of source: Source) -> Int
  /// One upstream call, for at most ``batchSize(of:)`` requests.
  func fetch(_ requests: [Request], from source: Source) async throws -> [Request: Result<Value, ProviderError>]

  /// Why a value offered for `request` (by a provider or a tier) cannot be right, or nil.
  func problem(with value: Value, for request: Request) -> String?
  /// Whether `value` would move time backwards from the value already held.
  func isOlder(_ value: Value, than held: Value) -> Bool
  /// How two providers' values disagree, when they disagree enough to say so.
  func divergence(between value: Value, and other: Value) -> String?
  /// The events that announce a newly accepted value (none, when the class does not
  /// announce its values): what was repaired in it, then the value.
  func announcements(of served: Served<Value>) -> [MarketEvent.Kind]

  /// How this class reads and writes `tier`, or nil when the tier does not keep it.
  func port(on tier: any CacheTier) -> TierPort<Request, Value>?
}
