import Foundation
import Synchronization

/// The one door to market data. Callers use verbs, never its parts: queries (`quote`,
/// `quotes`, `lastKnown`, `status`, the watchlists), commands (`invalidate`, watchlist edits,
/// operator actions) and the `updates` stream of events. Behind it every data class is read
/// through one ``ReadPipeline``; see ARCHITECTURE.md for the flow.
public final class MarketDataCore: Sendable {
  public let configuration: CoreConfiguration
  let context: PipelineContext
  let quoteReads: ReadPipeline<QuoteData>
  let historyReads: ReadPipeline<HistoryData>
  let profileReads: ReadPipeline<ProfileData>
  let seriesMemo = SeriesMemo()
  let watchlistBook: WatchlistBook
  /// Symbols agents ask for that no watchlist holds, and related symbols to warm.
  let prefetch: Prefetcher
  let operatorHooks = Mutex<[@Sendable (OperatorAction, HybridTimestamp?) -> Void]>([])
  /// The operator state this instance holds, versioned, for stores and stale bus messages.
  let operatorLedger: Mutex<OperatorLedger>
  /// Held while one change of operator state is applied and versioned (see `serially`).
  let operatorSerial = Mutex<Void>(())

  /// With a `budget` (shared by a fleet, such as Redis), every provider with a rate or a daily
  /// quota also spends it from that budget, after its own limits admitted the call. With
  /// `flights`, a read that missed every tier claims its key's lease first, so a fleet asks
  /// upstream once per key (see ``ClusterFlights``).
  public init(
    providers: [ProviderRegistration], configuration: CoreConfiguration = CoreConfiguration(),
    clock: any MarketClock = SystemClock(), metrics: CoreMetrics = CoreMetrics(), events: EventBus = EventBus(),
    tiers: [any CacheTier] = [], budget: (any ClusterBudget)? = nil, flights: (any ClusterFlights)? = nil
  ) {
    self.configuration = configuration
    self.operatorLedger = Mutex(OperatorLedger(instance: configuration.instanceID))
    let announce: @Sendable (ProviderID, [BreakerTransition]) -> Void = { provider, transitions in
      for transition in transitions {
        events.publish(
          MarketEvent(
            time: clock.wallTime(at: transition.at),
            kind: .breakerTransition(
              provider, from: transition.from.rawValue, to: transition.to.rawValue, reason: transition.reason)))
      }
    }
    let router = Router(
      runtimes: providers.map { ProviderRuntime($0, metrics: metrics, clock: clock, budget: budget, transitions: announce) },
      weights: configuration.adaptiveWeights)
    let hedgeRatio: Double
    if case .hedged(let ratio, _, _, _) = configuration.quoteFanOut { hedgeRatio = ratio } else { hedgeRatio = 0 }
    self.context = PipelineContext(
      clock: clock,
      memory: L1Cache<StoredValue>(
        maximumEntries: configuration.cacheMaximumEntries, maximumBytes: configuration.cacheMaximumBytes),
      router: router, tiers: tiers, clusterFlights: flights, events: events, metrics: metrics,
      hedgeBudget: SharedHedgeBudget(HedgeBudget(maximumExtraRatio: hedgeRatio, maximumSavedTokens: 50)),
      batchConcurrency: configuration.refreshConcurrency)
    self.watchlistBook = WatchlistBook(configuration.watchlists)
    let prefetch = Prefetcher(configuration.prefetch)
    self.prefetch = prefetch
    let refreshInterval = configuration.refreshInterval
    self.quoteReads = ReadPipeline(
      QuoteData(policy: configuration.quotePolicy, quality: configuration.dataQuality), context: context,
      fanOut: configuration.quoteFanOut,
      demand: .init(
        missed: { symbol, now, quotes in
          prefetch.noteAged(symbol, at: now)
          Self.warm(prefetch.related(to: symbol), relatedIn: quotes, prefetch: prefetch, freshEnough: refreshInterval)
        },
        aged: { symbol, now in prefetch.noteAged(symbol, at: now) }))
    // History and profiles ask one provider at a time: a hedge would double a heavy call.
    self.historyReads = ReadPipeline(
      HistoryData(policies: configuration.historyPolicy, clock: clock), context: context, fanOut: .failover)
    self.profileReads = ReadPipeline(ProfileData(policy: configuration.profilePolicy), context: context, fanOut: .failover)
  }

  /// The clock the core was built with: every age and time it reports is on it.
  public var clock: any MarketClock { context.clock }

  // MARK: Quotes

  /// The current quote for one symbol, from cache when fresh enough, else from providers.
  public func quote(_ symbol: Symbol) async throws(ReadError) -> ServedQuote {
    // Every agent read lands here: a warm one is answered before any further await.
    switch quoteReads.fromMemory(symbol) {
    case .served(let served): served
    case .missed(let key, let now): try await quoteReads.readBelowMemory(symbol, key, now)
    }
  }

  /// Raw text from a user or an HTTP request; an invalid symbol is a typed error.
  public func quote(text: String) async throws(ReadError) -> ServedQuote {
    let symbol: Symbol
    do { symbol = try Symbol(validating: text) } catch { throw ReadError.invalidSymbol(error) }
    return try await quote(symbol)
  }

  /// Many symbols at once. Misses are fetched in provider batches (one upstream call per
  /// batch, not one per symbol); each symbol gets its own result.
  public func quotes(_ symbols: [Symbol]) async -> [Symbol: Result<ServedQuote, ReadError>] {
    await quoteReads.read(symbols)
  }

  /// Re-fetches symbols now, whatever their cache state, in provider batches with bounded
  /// concurrency; concurrent readers join these calls. A value another instance fetched
  /// within the last refresh interval (found in a shared tier) counts as refreshed.
  public func refresh(_ symbols: [Symbol]) async {
    await quoteReads.refresh(symbols, acceptingTierValuesYoungerThan: configuration.refreshInterval)
  }

  /// Fills memory from the tiers without asking any provider: at start, so the first screen
  /// and the first reads have values (marked stale when old). Returns how many got one.
  @discardableResult
  public func warm(_ symbols: [Symbol]) async -> Int {
    await quoteReads.warm(symbols)
  }

  /// The value last received for a symbol, however old, without counting a read or asking a
  /// provider: what displays show between updates. Stale once past the quote TTL.
  public func lastKnown(_ symbol: Symbol) -> ServedQuote? {
    quoteReads.lastKnown(symbol)
  }

  /// What the refresh loop keeps fresh: every active watchlist symbol, then the unwatched
  /// symbols agents keep asking for.
  public var symbolsToRefresh: [Symbol] {
    let active = watchlistBook.activeSymbols
    let watched = Set(active)
    return active + prefetch.hotSymbols(at: context.clock.now()).filter { !watched.contains($0) }
  }

  /// A miss: warm the symbols configured as related to it that memory lacks, in the background.
  private static func warm(
    _ related: [Symbol], relatedIn quotes: ReadPipeline<QuoteData>, prefetch: Prefetcher, freshEnough: Duration
  ) {
    let missing = related.filter { quotes.context.memory.peek(CacheKey(.quote, $0)) == nil }
    guard !missing.isEmpty else { return }
    prefetch.noteRelatedWarm(missing.count)
    quotes.context.inBackground { await quotes.refresh(missing, acceptingTierValuesYoungerThan: freshEnough) }
  }

  // MARK: Invalidation

  /// Removes what `scope` names from memory, every data class's last values and every tier;
  /// returns how many entries went from memory.
  @discardableResult
  public func invalidate(_ scope: InvalidationScope) -> Int {
    invalidate(scope, origin: .local)
  }

  @discardableResult
  func invalidate(_ scope: InvalidationScope, origin: ActionOrigin) -> Int {
    let removed = context.memory.removeAll(matching: scope)
    quoteReads.forget(scope)
    historyReads.forget(scope)
    profileReads.forget(scope)
    seriesMemo.removeAll()
    // The instance that asked has already cleared the shared tiers; clearing them again
    // here could delete a value it fetched since.
    for tier in context.tiers where origin == .local || !tier.isShared { tier.invalidate(scope) }
    context.publish(.cacheInvalidated(scope: scope.description + origin.suffix, removed: removed))
    announce(.invalidate(scope), origin)
    return removed
  }

  // MARK: Events

  /// Quote updates, provider errors, operator actions and more, from now on.
  public func updates(bufferSize: Int = 4096) -> AsyncStream<MarketEvent> {
    context.events.subscribe(bufferSize: bufferSize)
  }

  /// Tells everyone watching that something the core was asked to keep (the watchlists, by
  /// whoever saves them) could not be kept.
  public func reportPersistenceFailure(_ reason: String) {
    context.publish(.persistenceFailed(reason))
  }
}

extension ActionOrigin {
  /// Appended to event text so the events pane tells remote actions apart.
  var suffix: String {
    switch self {
    case .local: ""
    case .instance(let id): " from instance \(id)"
    case .stored(let id, let source): " from \(source) (instance \(id))"
    }
  }

  /// The event text of an operator action on `what` (`provider p tripped`).
  func eventText(_ what: String) -> String {
    switch self {
    case .local: "\(what) by operator"
    case .instance(let id): "\(what) by operator from instance \(id)"
    case .stored(let id, let source): "reconciled: \(what) by \(id) (from \(source))"
    }
  }
}
