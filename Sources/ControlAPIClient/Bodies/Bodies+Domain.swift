import Foundation
import MarketCore

// The way back from the API's bodies to the core's values, for clients such as the dashboard
// attached over HTTP. What the wire does not carry takes the core's defaults.

extension QuoteBody {
  /// The quote as a client holds it. Ages are measured on the client's clock: `receivedAt`
  /// becomes `now` minus the server's age, so a skew between the two clocks does not make
  /// a fresh price look old (the wire's ISO 8601 times also lose their fractions of a second).
  public func servedQuote(receivedLocallyAt now: Date) throws(ClientDecodingError) -> ServedQuote {
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: self.symbol)
    } catch {
      throw ClientDecodingError("quote for an invalid symbol: \(error)")
    }
    guard price.isFinite else { throw ClientDecodingError("quote for \(symbol) has no finite price") }
    let age = ageSeconds.isFinite ? max(0, ageSeconds) : 0
    let quote = Quote(
      symbol: symbol, price: price, change: change, changePercent: changePercent, open: open, high: high, low: low,
      previousClose: previousClose, volume: volume, currency: currency, asOf: asOf,
      receivedAt: now.addingTimeInterval(-age), source: ProviderID(source), isSimulated: simulated, isDelayed: delayed ?? false)
    return ServedQuote(
      quote: quote, isStale: stale, age: .seconds(age), origin: ServedQuote.Origin(rawValue: origin) ?? .upstream)
  }
}

extension SnapshotBody {
  /// The server's quote TTL, when it sent a usable one.
  public var quoteTimeToLive: Duration? {
    guard let seconds = quoteTTLSeconds, seconds.isFinite, seconds > 0, seconds <= 86_400 else { return nil }
    return .nanoseconds(Int64(seconds * 1e9))
  }
}

extension ProviderBody {
  public func status() throws(ClientDecodingError) -> ProviderStatus {
    guard let state = BreakerState(rawValue: breaker.state) else {
      throw ClientDecodingError("provider \(id) has an unknown breaker state")
    }
    var status = ProviderStatus(id: ProviderID(id), priority: priority, isSimulated: simulated, isEnabled: enabled)
    status.breaker.state = state
    status.breaker.lastTransitionReason = breaker.reason
    status.breaker.failureRate = breaker.failureRatePercent
    status.breaker.slowCallRate = breaker.slowCallRatePercent
    if let threshold = breaker.failureRateThresholdPercent { status.breaker.failureRateThreshold = threshold }
    if let threshold = breaker.slowCallRateThresholdPercent { status.breaker.slowCallRateThreshold = threshold }
    status.breaker.bufferedCalls = breaker.bufferedCalls
    status.breaker.notPermittedCalls = breaker.notPermittedCalls
    status.breaker.nextProbeIn = breaker.nextProbeInSeconds.flatMap(Duration.fromSeconds)
    status.health.p50 = health.latencyP50Seconds.flatMap(Duration.fromSeconds)
    status.health.p99 = health.latencyP99Seconds.flatMap(Duration.fromSeconds)
    status.health.ewma = health.latencyEWMASeconds.flatMap(Duration.fromSeconds)
    status.health.errorRate = health.errorRate
    status.health.requestsPerSecond = health.requestsPerSecond ?? 0
    status.health.totalRequests = health.totalRequests
    status.health.consecutiveFailures = health.consecutiveFailures
    status.health.lastError = health.lastError
    status.limits.maximumConcurrent = limits.maximumConcurrent
    status.limits.inFlight = limits.inFlight
    status.limits.requestsPerMinute = limits.requestsPerMinute
    status.limits.dailyQuota = limits.dailyQuota
    status.limits.quotaUsed = limits.quotaUsed
    status.limits.costPerCall = limits.costPerCall ?? 0
    status.limits.costSpent = limits.costSpent ?? 0
    status.limits.backingOffFor = limits.backingOffForSeconds.flatMap(Duration.fromSeconds)
    status.budget = budget?.mode
    return status
  }
}

extension ProvidersBody {
  public func statuses() throws(ClientDecodingError) -> [ProviderStatus] {
    var statuses: [ProviderStatus] = []
    for provider in providers { statuses.append(try provider.status()) }
    return statuses
  }
}

extension CacheBody {
  /// One value per tier, memory first; the refreshes in flight belong to the memory tier.
  public var statistics: [CacheStatistics] {
    tiers.enumerated().map { index, tier in
      var statistics = CacheStatistics(tier: tier.tier, maximumEntries: tier.maximumEntries, maximumBytes: tier.maximumBytes)
      statistics.entries = tier.entries
      statistics.bytes = tier.bytes
      statistics.hits = tier.hits
      statistics.misses = tier.misses
      statistics.staleServes = tier.staleServes
      statistics.evictions = tier.evictions
      statistics.expirations = tier.expirations
      statistics.insertions = tier.insertions
      statistics.refreshesInFlight = index == 0 ? refreshesInFlight : 0
      statistics.unavailable = tier.unavailable
      return statistics
    }
  }
}

extension ImmortalBody {
  /// Whose list this is and the list itself, in order with its active flags.
  public func watchlist() throws(ClientDecodingError) -> (ImmortalID, Watchlist) {
    guard let immortal = ImmortalID(rawValue: id) else { throw ClientDecodingError("unknown immortal \(id)") }
    var entries: [Watchlist.Entry] = []
    for entry in symbols {
      do {
        entries.append(Watchlist.Entry(symbol: try Symbol(validating: entry.symbol), isActive: entry.active))
      } catch {
        throw ClientDecodingError("\(id)'s watchlist holds an invalid symbol: \(error)")
      }
    }
    return (immortal, Watchlist(entries: entries))
  }

  /// The quotes that came with the list (entries without one, or with an error, have none).
  public func quotes(receivedLocallyAt now: Date) throws(ClientDecodingError) -> [ServedQuote] {
    var quotes: [ServedQuote] = []
    for entry in symbols {
      if let quote = entry.quote { quotes.append(try quote.servedQuote(receivedLocallyAt: now)) }
    }
    return quotes
  }
}

extension Duration {
  /// Nil for a negative, infinite or NaN number of seconds.
  fileprivate static func fromSeconds(_ seconds: Double) -> Duration? {
    guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return nil }
    return .nanoseconds(Int64((seconds * 1e9).rounded()))
  }
}
