import Foundation
import Synchronization

/// The one door to market data: `quote`, `quotes`, `invalidate` and a stream of events.
///
/// Read path: L1 (fresh → return; refresh due → return and refresh in the background; stale
/// within limits → return marked stale and refresh) → single-flight → the tiers below L1
/// (Redis, SQLite) → providers through the router → store in L1 and every tier, publish,
/// return. See ARCHITECTURE.md for the whole flow.
public final class DataAbstractionLayer: Sendable {
  public let clock: any MarketClock
  public let configuration: CoreConfiguration
  public let cache: L1Cache<Quote>
  public let router: Router
  public let events: EventBus
  public let watchlists: WatchlistBook
  public let metrics: CoreMetrics
  /// Asked in order on an L1 miss, before any provider; every fresh value is written to each.
  public let tiers: [any QuoteTier]
  /// Symbols agents ask for that no watchlist holds, and related symbols to warm.
  public let prefetch: Prefetcher
  private let flights = SingleFlight<CacheKey, Fetched>()
  private let unknownSymbols = Mutex<[Symbol: MarketInstant]>([:])
  /// The last value ever received per symbol, kept after L1 lets it go, to answer (marked
  /// stale) when no provider can.
  private let lastValues = Mutex(LRUCache<Symbol, Quote>(maximumEntries: 20_000, maximumBytes: 64 << 20))
  /// Each provider's latest quote per symbol, to notice providers disagreeing.
  private let latestByProvider = Mutex(LRUCache<Symbol, [ProviderID: Quote]>(maximumEntries: 20_000, maximumBytes: 64 << 20))
  private let backgroundRefreshes = Atomic<Int>(0)
  private let operatorHooks = Mutex<[@Sendable (OperatorAction) -> Void]>([])
  /// Shared by every hedged fetch, so the cap on extra requests holds across calls.
  private let hedgeBudget: SharedHedgeBudget

  public init(
    providers: [ProviderRegistration], configuration: CoreConfiguration = CoreConfiguration(),
    clock: any MarketClock = SystemClock(), metrics: CoreMetrics = CoreMetrics(), events: EventBus = EventBus(),
    tiers: [any QuoteTier] = []
  ) {
    self.clock = clock
    self.tiers = tiers
    self.prefetch = Prefetcher(configuration.prefetch)
    self.configuration = configuration
    self.metrics = metrics
    self.events = events
    let quotePolicy = configuration.quotePolicy
    let historyPolicy = configuration.historyPolicy
    self.cache = L1Cache(
      maximumEntries: configuration.cacheMaximumEntries, maximumBytes: configuration.cacheMaximumBytes,
      policies: { $0 == .quote ? quotePolicy : historyPolicy })
    let announce: @Sendable (ProviderID, [BreakerTransition]) -> Void = { provider, transitions in
      for transition in transitions {
        events.publish(
          MarketEvent(
            time: clock.wallTime(at: transition.at),
            kind: .breakerTransition(
              provider, from: transition.from.rawValue, to: transition.to.rawValue, reason: transition.reason)))
      }
    }
    self.router = Router(
      runtimes: providers.map { ProviderRuntime($0, metrics: metrics, clock: clock, transitions: announce) },
      weights: configuration.adaptiveWeights)
    self.watchlists = WatchlistBook(configuration.watchlists)
    if case .hedged(let ratio, _, _, _) = configuration.quoteFanOut {
      hedgeBudget = SharedHedgeBudget(HedgeBudget(maximumExtraRatio: ratio))
    } else {
      hedgeBudget = SharedHedgeBudget(HedgeBudget(maximumExtraRatio: 0))
    }
  }

  // MARK: Reading

  /// The current quote for one symbol, from cache when fresh enough, else from providers.
  public func quote(_ symbol: Symbol) async throws(QuoteError) -> ServedQuote {
    let key = CacheKey.quote(symbol)
    let now = clock.now()
    if let served = servedFromCache(key, now: now) { return served }
    metrics.quoteMisses.increment()
    if isKnownUnknown(symbol, now: now) { throw QuoteError.unknownSymbol(symbol) }
    requested(symbol, at: now)
    let result = await flights.run(key) { [self] in await fetchThroughTiers(symbol) }
    metrics.quoteLatency.recordNanoseconds(max(0, (clock.now() - now).nanoseconds))
    switch result {
    case .success(let fetched):
      return ServedQuote(quote: fetched.quote, isStale: false, age: ageOf(fetched.quote), origin: fetched.origin)
    case .failure(let error):
      if let fallback = lastResort(symbol, after: error) { return fallback }
      metrics.quoteErrors.increment()
      throw error
    }
  }

  /// When providers are unavailable or failing, the last value ever seen, marked stale.
  private func lastResort(_ symbol: Symbol, after error: QuoteError) -> ServedQuote? {
    switch error {
    case .noProviderAvailable, .allProvidersFailed:
      guard let quote = lastValues.withLock({ $0.peek(symbol) }) else { return nil }
      metrics.quoteStale.increment()
      return ServedQuote(quote: quote, isStale: true, age: ageOf(quote), origin: .lastKnown)
    case .invalidSymbol, .unknownSymbol, .cancelled:
      return nil
    }
  }

  /// Raw text from a user or an HTTP request; an invalid symbol is a typed error.
  public func quote(text: String) async throws(QuoteError) -> ServedQuote {
    let symbol: Symbol
    do { symbol = try Symbol(validating: text) } catch { throw QuoteError.invalidSymbol(error) }
    return try await quote(symbol)
  }

  /// Many symbols at once. Misses are fetched in provider batches (one upstream call per
  /// batch, not one per symbol); each symbol gets its own result.
  public func quotes(_ symbols: [Symbol]) async -> [Symbol: Result<ServedQuote, QuoteError>] {
    let now = clock.now()
    var results: [Symbol: Result<ServedQuote, QuoteError>] = [:]
    var misses: [CacheKey] = []
    for symbol in symbols where results[symbol] == nil {
      let key = CacheKey.quote(symbol)
      if let served = servedFromCache(key, now: now) {
        results[symbol] = .success(served)
      } else if isKnownUnknown(symbol, now: now) {
        results[symbol] = .failure(.unknownSymbol(symbol))
      } else if !misses.contains(key) {
        misses.append(key)
      }
    }
    guard !misses.isEmpty else { return results }
    metrics.quoteMisses.increment(by: misses.count)
    for key in misses { requested(key.symbol, at: now) }
    let freshEnough = readableTierAge
    let flights = self.flights.claim(
      misses, batch: { [self] keys in await fetchBatch(keys.map(\.symbol), acceptingTierValuesYoungerThan: freshEnough) },
      missing: { .allProvidersFailed($0.symbol, failures: []) })
    for (key, flight) in flights {
      switch await flight.value {
      case .success(let fetched):
        results[key.symbol] = .success(
          ServedQuote(quote: fetched.quote, isStale: false, age: ageOf(fetched.quote), origin: fetched.origin))
      case .failure(let error):
        results[key.symbol] = lastResort(key.symbol, after: error).map { .success($0) } ?? .failure(error)
      }
    }
    return results
  }

  /// Re-fetches symbols now, whatever their cache state, in provider batches with bounded
  /// concurrency; concurrent readers of the same symbols join these calls. A value another
  /// instance fetched within the last refresh interval (found in a shared tier) counts as
  /// refreshed: the cluster asks upstream about once per interval, not once per instance.
  public func refresh(_ symbols: [Symbol]) async {
    guard !symbols.isEmpty else { return }
    metrics.refreshes.increment(by: symbols.count)
    let freshEnough = configuration.refreshInterval
    let flights = self.flights.claim(
      symbols.map(CacheKey.quote),
      batch: { [self] keys in await fetchBatch(keys.map(\.symbol), acceptingTierValuesYoungerThan: freshEnough) },
      missing: { .allProvidersFailed($0.symbol, failures: []) })
    for flight in flights.values { _ = await flight.value }
  }

  // MARK: Invalidation

  /// Removes cached values, here and in every tier; returns how many went from L1.
  @discardableResult
  public func invalidate(_ scope: InvalidationScope) -> Int {
    invalidate(scope, origin: .local)
  }

  @discardableResult
  func invalidate(_ scope: InvalidationScope, origin: ActionOrigin) -> Int {
    let removed: Int
    // The last-resort values go with the cache: an operator clearing bad data means it.
    let forgetsSymbol: @Sendable (Symbol) -> Bool
    switch scope {
    case .key(let key):
      removed = cache.remove(key) ? 1 : 0
      forgetsSymbol = { key.dataClass == .quote && $0 == key.symbol }
    case .symbol(let symbol):
      removed = cache.removeAll(withPrefix: "v\(CacheKey.schemaVersion):quote:\(symbol.text)") == 0 ? 0 : 1
      unknownSymbols.withLock { _ = $0.removeValue(forKey: symbol) }
      forgetsSymbol = { $0 == symbol }
    case .prefix(let prefix):
      removed = cache.removeAll(withPrefix: prefix)
      forgetsSymbol = { CacheKey.quote($0).description.hasPrefix(prefix) }
    case .all:
      removed = cache.removeAll()
      unknownSymbols.withLock { $0.removeAll() }
      forgetsSymbol = { _ in true }
    }
    lastValues.withLock { _ = $0.removeAll(where: forgetsSymbol) }
    latestByProvider.withLock { _ = $0.removeAll(where: forgetsSymbol) }
    // The instance that asked has already cleared the shared tiers; clearing them again
    // here could delete a value it fetched since.
    for tier in tiers where origin == .local || !tier.isShared { tier.invalidate(scope) }
    events.publish(
      MarketEvent(
        time: clock.wallNow(),
        kind: .cacheInvalidated(scope: scope.description + origin.suffix, removed: removed)))
    announce(.invalidate(scope), origin)
    return removed
  }

  /// Called after every operator action taken in this process (not those applied from other
  /// instances): how a cluster bus hears what to tell the others.
  public func onOperatorAction(_ hook: @escaping @Sendable (OperatorAction) -> Void) {
    operatorHooks.withLock { $0.append(hook) }
  }

  func announce(_ action: OperatorAction, _ origin: ActionOrigin) {
    guard origin == .local else { return }
    for hook in operatorHooks.withLock({ $0 }) { hook(action) }
  }

  // MARK: Observing

  /// Quote updates, provider errors, operator actions and more, from now on.
  public func updates(bufferSize: Int = 4096) -> AsyncStream<MarketEvent> { events.subscribe(bufferSize: bufferSize) }

  /// L1's counters.
  public var cacheStatistics: CacheStatistics {
    var statistics = cache.statistics
    statistics.refreshesInFlight = backgroundRefreshes.load(ordering: .relaxed) + flights.inFlightCount
    return statistics
  }

  /// L1 first, then every tier in read order.
  public var allCacheStatistics: [CacheStatistics] {
    [cacheStatistics] + tiers.map(\.statistics)
  }

  /// The value last received for a symbol, however old, without counting a read or asking a
  /// provider: what displays show between updates. Stale once past the quote TTL.
  public func lastKnown(_ symbol: Symbol) -> ServedQuote? {
    if let (quote, storedAt) = cache.peek(.quote(symbol)) {
      let age = clock.now() - storedAt
      return ServedQuote(quote: quote, isStale: age >= configuration.quotePolicy.timeToLive, age: age, origin: .memory)
    }
    guard let quote = lastValues.withLock({ $0.peek(symbol) }) else { return nil }
    return ServedQuote(quote: quote, isStale: true, age: ageOf(quote), origin: .lastKnown)
  }

  // MARK: Watchlists

  /// Applies an operator's edit to one immortal's watchlist and announces it; the refresh
  /// loop reads the new list on its next pass.
  @discardableResult
  public func editWatchlist(_ immortal: ImmortalID, _ edit: WatchlistEdit) throws(WatchlistError) -> Watchlist {
    try editWatchlist(immortal, [edit])
  }

  /// Applies edits in order, all or none: the list stays as it was if any edit fails.
  @discardableResult
  public func editWatchlist(_ immortal: ImmortalID, _ edits: [WatchlistEdit]) throws(WatchlistError) -> Watchlist {
    let list = try watchlists.edit(immortal) { (list: inout Watchlist) throws(WatchlistError) in
      for edit in edits { try edit.apply(to: &list) }
    }
    watchlistChanged(immortal, list, origin: .local)
    return list
  }

  /// Replaces a whole watchlist.
  public func replaceWatchlist(_ immortal: ImmortalID, with list: Watchlist) {
    replaceWatchlist(immortal, with: list, origin: .local)
  }

  func replaceWatchlist(_ immortal: ImmortalID, with list: Watchlist, origin: ActionOrigin) {
    watchlists.replace(immortal, with: list)
    watchlistChanged(immortal, list, origin: origin)
  }

  private func watchlistChanged(_ immortal: ImmortalID, _ list: Watchlist, origin: ActionOrigin) {
    events.publish(MarketEvent(time: clock.wallNow(), kind: .watchlistChanged(immortal, list)))
    announce(.setWatchlist(immortal, list), origin)
  }

  // MARK: Internals

  private func servedFromCache(_ key: CacheKey, now: MarketInstant) -> ServedQuote? {
    switch cache.lookup(key, now: now) {
    case .fresh(let quote, let storedAt):
      return ServedQuote(quote: quote, isStale: false, age: now - storedAt, origin: .memory)
    case .refreshDue(let quote, let storedAt, let startRefresh):
      if startRefresh { refreshInBackground(key) }
      prefetch.noteAged(key.symbol, at: now)
      return ServedQuote(quote: quote, isStale: false, age: now - storedAt, origin: .memory)
    case .stale(let quote, let storedAt, let startRefresh):
      if startRefresh { refreshInBackground(key) }
      prefetch.noteAged(key.symbol, at: now)
      metrics.quoteStale.increment()
      return ServedQuote(quote: quote, isStale: true, age: now - storedAt, origin: .memory)
    case .miss:
      return nil
    }
  }

  private func refreshInBackground(_ key: CacheKey) {
    backgroundRefreshes.add(1, ordering: .relaxed)
    metrics.refreshes.increment()
    Task { [self] in
      let result = await flights.run(key) { [self] in await fetchThroughTiers(key.symbol) }
      if case .failure = result { cache.releaseRefreshClaim(key) }
      backgroundRefreshes.subtract(1, ordering: .relaxed)
    }
  }

  // MARK: Tiers

  /// How young a tier's value must be to answer a read: fresh and not yet due for refresh.
  private var readableTierAge: Duration {
    configuration.quotePolicy.timeToLive * configuration.quotePolicy.refreshAheadFraction
  }

  /// One symbol: the tiers, then the providers.
  private func fetchThroughTiers(_ symbol: Symbol) async -> Result<Fetched, QuoteError> {
    if let quote = await fromTiers([symbol], youngerThan: readableTierAge)[symbol] {
      return .success(Fetched(quote: quote, origin: .sharedTier))
    }
    return await fetch(symbol).map { Fetched(quote: $0, origin: .upstream) }
  }

  /// Asks each tier in turn for the symbols still missing. A value young enough is taken as if
  /// just fetched; an older one can only become the last-resort value, for when no provider
  /// answers.
  private func fromTiers(_ symbols: [Symbol], youngerThan maximumAge: Duration) async -> [Symbol: Quote] {
    var found: [Symbol: Quote] = [:]
    await walkTiers(symbols) { quote, age, tier in
      guard age < maximumAge else { return false }
      found[quote.symbol] = accept(quote, origin: .sharedTier, age: age, fromTier: tier)
      return true
    }
    return found
  }

  /// The one walk down the tiers that reads and warming share: each tier is asked for the
  /// symbols no tier above has settled. Every usable value is kept as a last resort and
  /// offered to `settle` with its age and tier; `settle` returns whether that value is good
  /// enough to stop looking for the symbol. A value that is unusable (another symbol, or
  /// failing the quality checks) or too old leaves the symbol to the tiers below.
  private func walkTiers(
    _ symbols: [Symbol], settle: (_ quote: Quote, _ age: Duration, _ tier: Int) -> Bool
  ) async {
    var missing = symbols
    for (index, tier) in tiers.enumerated() where !missing.isEmpty {
      var settled: Set<Symbol> = []
      for (symbol, quote) in await tier.load(missing) {
        guard let quote = usable(quote, for: symbol) else { continue }
        keepAsLastResort(quote)
        if settle(quote, ageOf(quote), index) { settled.insert(symbol) }
      }
      missing.removeAll { settled.contains($0) }
    }
  }

  /// A tier's value, if it is for the symbol asked and passes the checks a provider's must.
  private func usable(_ quote: Quote, for symbol: Symbol) -> Quote? {
    guard quote.symbol == symbol, configuration.dataQuality.problem(with: quote) == nil else { return nil }
    return quote
  }

  private func keepAsLastResort(_ quote: Quote) {
    lastValues.withLock { values in
      if let held = values.peek(quote.symbol), held.asOf >= quote.asOf { return }
      _ = values.setValue(quote, forKey: quote.symbol, byteCount: quote.approximateByteCount)
    }
  }

  /// Fills L1 and the last-resort values from the tiers, without asking any provider: at
  /// start, so the first screen and the first reads have values, marked stale when old.
  /// Returns how many symbols got a value.
  @discardableResult
  public func warm(_ symbols: [Symbol]) async -> Int {
    var warmed: Set<Symbol> = []
    let servable = configuration.quotePolicy.timeToLive + configuration.quotePolicy.maximumStaleness
    await walkTiers(symbols) { quote, age, _ in
      warmed.insert(quote.symbol)
      guard age < servable else { return false }
      if cache.peek(.quote(quote.symbol)) == nil {
        cache.store(quote, for: .quote(quote.symbol), byteCount: quote.approximateByteCount, storedAt: clock.now() - age)
      }
      return true
    }
    return warmed.count
  }

  // MARK: Prefetch

  /// A miss: remember the demand, and warm the symbols configured as related to this one.
  private func requested(_ symbol: Symbol, at now: MarketInstant) {
    prefetch.noteAged(symbol, at: now)
    let related = prefetch.related(to: symbol).filter { cache.peek(.quote($0)) == nil }
    guard !related.isEmpty else { return }
    prefetch.noteRelatedWarm(related.count)
    backgroundRefreshes.add(1, ordering: .relaxed)
    Task { [self] in
      await refresh(related)
      backgroundRefreshes.subtract(1, ordering: .relaxed)
    }
  }

  /// What the refresh loop keeps fresh: every active watchlist symbol, then the unwatched
  /// symbols agents keep asking for.
  public var symbolsToRefresh: [Symbol] {
    let active = watchlists.activeSymbols
    let watched = Set(active)
    return active + prefetch.hotSymbols(at: clock.now()).filter { !watched.contains($0) }
  }

  private func isKnownUnknown(_ symbol: Symbol, now: MarketInstant) -> Bool {
    unknownSymbols.withLock { unknown in
      guard let until = unknown[symbol] else { return false }
      if now < until { return true }
      unknown[symbol] = nil
      return false
    }
  }

  private func ageOf(_ quote: Quote) -> Duration {
    .nanoseconds(max(0, Int64(clock.wallNow().timeIntervalSince(quote.receivedAt) * 1e9)))
  }

  /// Asks the router's candidates by the configured fan-out policy; the first success is
  /// stored and returned, and nothing a losing request brings back ever replaces it.
  private func fetch(_ symbol: Symbol, excluding excluded: ProviderID? = nil) async -> Result<Quote, QuoteError> {
    let now = clock.now()
    let (planned, skipped) = router.plan(for: symbol, at: now)
    let candidates = planned.filter { $0.id != excluded }
    guard !candidates.isEmpty else { return .failure(.noProviderAvailable(symbol, skipped: skipped)) }
    let call: @Sendable (ProviderRuntime) async throws -> Quote = { [self] runtime in
      try checked(try await runtime.quote(symbol))
    }
    let result: FanOutResult<ProviderRuntime, Quote>
    switch configuration.quoteFanOut {
    case .failover:
      result = await FanOut.failover(candidates, clock: clock, call: call)
    case .firstWins:
      result = await FanOut.firstWins(candidates, clock: clock, call: call)
    case .hedged(_, let percentile, let minimumDelay, let maximumDelay):
      result = await FanOut.hedged(
        candidates,
        delay: { min(max($0.latency(atPercentile: percentile, at: now) ?? maximumDelay, minimumDelay), maximumDelay) },
        budget: hedgeBudget, clock: clock, call: call)
    }
    if let winner = result.winner {
      return .success(accept(winner.value))
    }
    var failures: [ProviderFailure] = []
    var skips = skipped
    for attempt in result.attempts {
      switch attempt.outcome {
      case .failure(.notAdmitted(let reason)):
        skips.append(ProviderSkip(provider: attempt.candidate.id, reason: reason))
      case .failure(let error):
        failures.append(ProviderFailure(provider: attempt.candidate.id, error: error))
        if error != .unknownSymbol(symbol) { publishFailure(attempt.candidate.id, error, [symbol]) }
      case .success, .cancelled:
        break
      }
    }
    if failures.isEmpty {
      return .failure(Task.isCancelled ? .cancelled : .noProviderAvailable(symbol, skipped: skips))
    }
    return .failure(conclude(symbol, failures))
  }

  /// Fetches many symbols: grouped by each symbol's first-choice provider, in chunks of that
  /// provider's batch size, a bounded number of chunks at once; a symbol its first choice
  /// could not answer falls back to the others one by one.
  private func fetchBatch(
    _ symbols: [Symbol], acceptingTierValuesYoungerThan maximumAge: Duration
  ) async -> [CacheKey: Result<Fetched, QuoteError>] {
    let held = await fromTiers(symbols, youngerThan: maximumAge)
    var results: [CacheKey: Result<Fetched, QuoteError>] = [:]
    for (symbol, quote) in held { results[.quote(symbol)] = .success(Fetched(quote: quote, origin: .sharedTier)) }
    let fetched = await fetchBatchFromProviders(symbols.filter { held[$0] == nil })
    for (key, result) in fetched { results[key] = result.map { Fetched(quote: $0, origin: .upstream) } }
    return results
  }

  private func fetchBatchFromProviders(_ symbols: [Symbol]) async -> [CacheKey: Result<Quote, QuoteError>] {
    guard !symbols.isEmpty else { return [:] }
    var groups: [ProviderID: (runtime: ProviderRuntime, symbols: [Symbol])] = [:]
    var results: [CacheKey: Result<Quote, QuoteError>] = [:]
    for symbol in symbols {
      let (candidates, skipped) = router.plan(for: symbol, at: clock.now())
      guard let first = candidates.first(where: { $0.provider.capabilities.maximumBatchSize > 1 }) ?? candidates.first else {
        results[.quote(symbol)] = .failure(.noProviderAvailable(symbol, skipped: skipped))
        continue
      }
      groups[first.id, default: (first, [])].symbols.append(symbol)
    }
    var chunks: [(ProviderRuntime, [Symbol])] = []
    for (runtime, symbols) in groups.values {
      let size = runtime.provider.capabilities.maximumBatchSize
      for start in stride(from: 0, to: symbols.count, by: size) {
        chunks.append((runtime, Array(symbols[start..<min(start + size, symbols.count)])))
      }
    }
    metrics.refreshQueueDepth.record(chunks.count)
    let limit = max(1, configuration.refreshConcurrency)
    await withTaskGroup(of: [CacheKey: Result<Quote, QuoteError>].self) { group in
      var next = 0
      func startNext() {
        guard next < chunks.count else { return }
        let (runtime, chunk) = chunks[next]
        next += 1
        group.addTask { [self] in await fetchChunk(chunk, from: runtime) }
      }
      for _ in 0..<min(limit, chunks.count) { startNext() }
      for await chunkResults in group {
        results.merge(chunkResults) { $1 }
        metrics.refreshQueueDepth.record(chunks.count - next)
        startNext()
      }
    }
    return results
  }

  private func fetchChunk(_ symbols: [Symbol], from runtime: ProviderRuntime) async -> [CacheKey: Result<Quote, QuoteError>] {
    let answers = await runtime.fetch(symbols)
    var results: [CacheKey: Result<Quote, QuoteError>] = [:]
    var failed: [Symbol] = []
    var reported: ProviderError?
    for symbol in symbols {
      switch answers[symbol] {
      case .success(let quote)?:
        do {
          results[.quote(symbol)] = .success(accept(try checked(quote)))
        } catch {
          reported = reported ?? error
          failed.append(symbol)
        }
      case .failure(.unknownSymbol)?, .failure(.notAdmitted)?:
        // The first choice does not know it, or could not be asked; the others may answer.
        failed.append(symbol)
      case .failure(let error)?:
        if reported == nil { reported = error }
        failed.append(symbol)
      case nil:
        failed.append(symbol)
      }
    }
    if let reported { publishFailure(runtime.id, reported, failed) }
    for symbol in failed {
      let fallback = await fetch(symbol, excluding: runtime.id)
      if case .failure(let error) = fallback, case .unknownSymbol = error, case .failure(.unknownSymbol)? = answers[symbol] {
        results[.quote(symbol)] = .failure(error)
      } else if case .failure(.noProviderAvailable) = fallback, case .failure(let first)? = answers[symbol] {
        results[.quote(symbol)] = .failure(conclude(symbol, [ProviderFailure(provider: runtime.id, error: first)]))
      } else {
        results[.quote(symbol)] = fallback
      }
    }
    return results
  }

  /// Refuses a value that cannot be right (announcing why), so the caller tries elsewhere.
  private func checked(_ quote: Quote) throws(ProviderError) -> Quote {
    guard let problem = configuration.dataQuality.problem(with: quote) else { return quote }
    events.publish(MarketEvent(time: clock.wallNow(), kind: .dataQuality("rejected: " + problem)))
    throw ProviderError.malformedBody(excerpt: ProviderError.sanitizedExcerpt(problem))
  }

  /// Stores a fresh value (in L1 as old as it is, and in every tier but the one it came
  /// from) and announces it; returns what is now held. A value older than the one already
  /// held is refused (as-of times never go backwards) and the held one returned.
  private func accept(_ quote: Quote, origin: ServedQuote.Origin = .upstream, age: Duration = .zero, fromTier: Int? = nil)
    -> Quote
  {
    let quality = configuration.dataQuality
    if let held = lastValues.withLock({ $0.peek(quote.symbol) }), quality.goesBackwards(quote, from: held) {
      // A shared tier lagging behind is normal (another instance wrote before we fetched);
      // only a provider going back in time is worth an event.
      if fromTier == nil {
        events.publish(
          MarketEvent(
            time: clock.wallNow(),
            kind: .dataQuality("rejected: \(quote.symbol) from \(quote.source) is older than the value held from \(held.source)"))
        )
      }
      return held
    }
    let key = CacheKey.quote(quote.symbol)
    cache.store(quote, for: key, byteCount: quote.approximateByteCount, storedAt: clock.now() - age)
    for (index, tier) in tiers.enumerated() where index != fromTier { tier.store([quote]) }
    lastValues.withLock { _ = $0.setValue(quote, forKey: quote.symbol, byteCount: quote.approximateByteCount) }
    let others = latestByProvider.withLock { latest in
      var byProvider = latest.peek(quote.symbol) ?? [:]
      let others = Array(byProvider.values)
      byProvider[quote.source] = quote
      latest.setValue(byProvider, forKey: quote.symbol, byteCount: byProvider.count * quote.approximateByteCount)
      return others
    }
    for other in others {
      if let divergence = quality.divergence(between: quote, and: other) {
        metrics.divergences.increment()
        events.publish(MarketEvent(time: clock.wallNow(), kind: .dataQuality("divergence: " + divergence)))
      }
    }
    events.publish(
      MarketEvent(
        time: quote.receivedAt,
        kind: .quoteUpdated(ServedQuote(quote: quote, isStale: false, age: age, origin: origin))))
    return quote
  }

  private func publishFailure(_ provider: ProviderID, _ error: ProviderError, _ symbols: [Symbol]) {
    events.publish(MarketEvent(time: clock.wallNow(), kind: .providerError(provider, error, symbols: symbols)))
  }

  /// Turns the failures of every provider asked into one error; "unknown" only when every
  /// provider said so, and then it is remembered for a while.
  private func conclude(_ symbol: Symbol, _ failures: [ProviderFailure]) -> QuoteError {
    if !failures.isEmpty, failures.allSatisfy({ $0.error == .unknownSymbol(symbol) }) {
      let until = clock.now() + configuration.unknownSymbolTTL
      unknownSymbols.withLock { $0[symbol] = until }
      return .unknownSymbol(symbol)
    }
    return .allProvidersFailed(symbol, failures: failures)
  }
}

/// A flight's answer: the quote and where it was found.
struct Fetched: Sendable {
  var quote: Quote
  var origin: ServedQuote.Origin
}

extension ActionOrigin {
  /// Appended to event text so the events pane tells remote actions apart.
  var suffix: String {
    switch self {
    case .local: ""
    case .instance(let id): " from instance \(id)"
    }
  }
}

/// What to drop from the caches.
public enum InvalidationScope: Hashable, Sendable, CustomStringConvertible {
  case key(CacheKey)
  /// Every data class of one symbol.
  case symbol(Symbol)
  /// Every key whose text starts with this (`v1:quote:`, `v1:quote:BTC`).
  case prefix(String)
  case all

  public var description: String {
    switch self {
    case .key(let key): key.description
    case .symbol(let symbol): "symbol \(symbol)"
    case .prefix(let prefix): "prefix \(prefix)"
    case .all: "all"
    }
  }
}
