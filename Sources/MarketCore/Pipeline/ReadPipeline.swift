import Foundation
import Synchronization

/// The one read path, for every data class. Memory (fresh → return; refresh due → return and
/// refresh in the background; stale within limits → return marked stale and refresh) →
/// single-flight → the tiers below memory → the router's providers under the fan-out policy,
/// each call recorded and validated → acceptance (memory, tiers, last values, events). A data
/// class plugs in through its ``DataClassDefinition``; see ARCHITECTURE.md for the whole flow.
final class ReadPipeline<Class: DataClassDefinition>: Sendable {
  typealias Request = Class.Request
  typealias Value = Class.Value

  /// Who else wants to hear about demand (the quote class's prefetcher). Each hook is handed
  /// the pipeline, so it can start work there without holding on to it.
  struct Demand: Sendable {
    /// A read missed memory (asked upstream or of the tiers).
    var missed: @Sendable (Request, MarketInstant, ReadPipeline) -> Void = { _, _, _ in }
    /// A read found a value past its refresh point.
    var aged: @Sendable (Request, MarketInstant) -> Void = { _, _ in }
  }

  let definition: Class
  let context: PipelineContext
  /// This class's view of each tier, by tier position; nil where a tier does not keep it.
  let ports: [TierPort<Request, Value>?]
  let demand: Demand
  /// How a request that missed every cache is asked of the providers the router chose.
  let fanOut: FanOutPolicy
  let metrics: ReadMetrics
  let flights = SingleFlight<CacheKey, Fetched>()
  /// Symbols every provider called unknown, until when.
  let unknownSymbols = Mutex<[Symbol: MarketInstant]>([:])
  /// The last value ever received per key, kept after memory lets it go, to answer (marked
  /// stale) when no provider can.
  let lastValues = Mutex(LRUCache<CacheKey, Value>(maximumEntries: 20_000, maximumBytes: 64 << 20))
  /// Each provider's latest value per key, to notice providers disagreeing.
  let latestByProvider = Mutex(LRUCache<CacheKey, [ProviderID: Value]>(maximumEntries: 20_000, maximumBytes: 64 << 20))

  /// A flight's answer: the value and where it was found.
  struct Fetched: Sendable {
    var value: Value
    var origin: Served<Value>.Origin
  }

  init(_ definition: Class, context: PipelineContext, fanOut: FanOutPolicy, demand: Demand = Demand()) {
    self.definition = definition
    self.context = context
    self.fanOut = fanOut
    self.demand = demand
    self.ports = context.tiers.map(definition.port(on:))
    self.metrics = ReadMetrics(definition.kind)
  }

  func policy(for request: Request) -> CachePolicy { definition.policy(for: request) }

  // MARK: Reading

  /// What memory alone says of a request, without suspending.
  enum MemoryAnswer {
    case served(Served<Value>)
    /// Not in memory, or too old to serve: the read goes on below memory.
    case missed(CacheKey, at: MarketInstant)
  }

  /// One request, from memory when fresh enough, else from the tiers or the providers.
  func read(_ request: Request) async throws(ReadError) -> Served<Value> {
    switch fromMemory(request) {
    case .served(let served): served
    case .missed(let key, let now): try await readBelowMemory(request, key, now)
    }
  }

  /// The synchronous first half of ``read(_:)``. A caller on the hot path checks this
  /// before awaiting anything, so a warm read costs no async frame.
  @inline(__always)
  func fromMemory(_ request: Request) -> MemoryAnswer {
    let key = definition.key(for: request)
    let now = context.clock.now()
    if let served = fromMemory(key, request, now: now) { return .served(served) }
    return .missed(key, at: now)
  }

  /// The second half of ``read(_:)``, after memory missed at `now`.
  func readBelowMemory(_ request: Request, _ key: CacheKey, _ now: MarketInstant) async throws(ReadError) -> Served<Value> {
    let symbol = definition.symbol(of: request)
    metrics.misses.increment()
    if isKnownUnknown(symbol, now: now) { throw ReadError.unknownSymbol(symbol) }
    demand.missed(request, now, self)
    let result = await flights.run(key) { [self] in await fetchThroughTiers(request) }
    metrics.latency.recordNanoseconds(max(0, (context.clock.now() - now).nanoseconds))
    return try served(result, for: request).get()
  }

  /// Many requests at once. Misses are fetched in provider batches (one upstream call per
  /// batch, not one per request); each request gets its own result.
  func read(_ requests: [Request]) async -> [Request: Result<Served<Value>, ReadError>] {
    let now = context.clock.now()
    var results: [Request: Result<Served<Value>, ReadError>] = [:]
    var misses: [Request] = []
    for request in requests where results[request] == nil {
      let key = definition.key(for: request)
      if let served = fromMemory(key, request, now: now) {
        results[request] = .success(served)
      } else if isKnownUnknown(definition.symbol(of: request), now: now) {
        results[request] = .failure(.unknownSymbol(definition.symbol(of: request)))
      } else if !misses.contains(request) {
        misses.append(request)
      }
    }
    guard !misses.isEmpty else { return results }
    metrics.misses.increment(by: misses.count)
    for request in misses { demand.missed(request, now, self) }
    for (request, result) in await fetchAll(misses, acceptingTierValuesYoungerThan: nil) {
      results[request] = served(result, for: request)
    }
    return results
  }

  /// Re-fetches requests now, whatever their cache state, in provider batches with bounded
  /// concurrency; concurrent readers join these calls. A tier value younger than `freshEnough`
  /// (another instance fetched it) counts as refreshed: the cluster asks upstream about once
  /// per interval, not once per instance.
  func refresh(_ requests: [Request], acceptingTierValuesYoungerThan freshEnough: Duration) async {
    guard !requests.isEmpty else { return }
    context.metrics.refreshes.increment(by: requests.count)
    _ = await fetchAll(requests, acceptingTierValuesYoungerThan: freshEnough)
  }

  /// The value last received for a request, however old, without counting a read or asking
  /// anyone: what displays show between updates. Stale once past the TTL.
  func lastKnown(_ request: Request) -> Served<Value>? {
    let key = definition.key(for: request)
    if let (held, storedAt) = context.memory.peek(key), let stored = held as? Stored<Value> {
      let age = context.clock.now() - storedAt
      return Served(stored: stored, isStale: age >= policy(for: request).timeToLive, age: age, origin: .memory)
    }
    guard let value = lastValues.withLock({ $0.peek(key) }) else { return nil }
    return Served(value, isStale: true, age: age(of: value), origin: .lastKnown)
  }

  /// Flights under way now, for the cache pane's "refreshing" count.
  var flightsInFlight: Int { flights.inFlightCount }

  // MARK: Memory

  private func fromMemory(_ key: CacheKey, _ request: Request, now: MarketInstant) -> Served<Value>? {
    switch context.memory.lookup(key, now: now) {
    case .fresh(let held, let storedAt):
      guard let stored = held as? Stored<Value> else { return nil }
      return Served(stored: stored, isStale: false, age: now - storedAt, origin: .memory)
    case .refreshDue(let held, let storedAt, let startRefresh):
      if startRefresh { refreshInBackground(key, request) }
      demand.aged(request, now)
      guard let stored = held as? Stored<Value> else { return nil }
      return Served(stored: stored, isStale: false, age: now - storedAt, origin: .memory)
    case .stale(let held, let storedAt, let startRefresh):
      if startRefresh { refreshInBackground(key, request) }
      demand.aged(request, now)
      metrics.stale.increment()
      guard let stored = held as? Stored<Value> else { return nil }
      return Served(stored: stored, isStale: true, age: now - storedAt, origin: .memory)
    case .miss:
      return nil
    }
  }

  private func refreshInBackground(_ key: CacheKey, _ request: Request) {
    context.metrics.refreshes.increment()
    context.inBackground { [self] in
      let result = await flights.run(key) { [self] in await fetchThroughTiers(request) }
      if case .failure = result { context.memory.releaseRefreshClaim(key) }
    }
  }

  // MARK: Answers

  /// A flight's result as the caller sees it: fresh, or when providers could not answer, the
  /// last value ever seen, marked stale.
  private func served(_ result: Result<Fetched, ReadError>, for request: Request) -> Result<Served<Value>, ReadError> {
    switch result {
    case .success(let fetched):
      return .success(Served(fetched.value, isStale: false, age: age(of: fetched.value), origin: fetched.origin))
    case .failure(let error):
      if let fallback = lastResort(request, after: error) { return .success(fallback) }
      metrics.errors.increment()
      return .failure(error)
    }
  }

  private func lastResort(_ request: Request, after error: ReadError) -> Served<Value>? {
    switch error {
    case .noProviderAvailable, .allProvidersFailed:
      guard let value = lastValues.withLock({ $0.peek(definition.key(for: request)) }) else { return nil }
      metrics.stale.increment()
      return Served(value, isStale: true, age: age(of: value), origin: .lastKnown)
    case .invalidSymbol, .unknownSymbol, .cancelled:
      return nil
    }
  }

  func age(of value: Value) -> Duration {
    .nanoseconds(max(0, Int64(context.clock.wallNow().timeIntervalSince(value.receivedAt) * 1e9)))
  }

  // MARK: Unknown symbols

  func isKnownUnknown(_ symbol: Symbol, now: MarketInstant) -> Bool {
    unknownSymbols.withLock { unknown in
      guard let until = unknown[symbol] else { return false }
      if now < until { return true }
      unknown[symbol] = nil
      return false
    }
  }

  func rememberUnknown(_ symbol: Symbol, for request: Request) {
    let until = context.clock.now() + policy(for: request).negativeTimeToLive
    unknownSymbols.withLock { $0[symbol] = until }
  }
}
