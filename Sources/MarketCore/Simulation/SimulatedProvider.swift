import Foundation
import Synchronization

/// A provider backed by the embedded ``SimulatedMarket``, with configurable latency and
/// faults. Every quote it returns is marked simulated.
public final class SimulatedProvider: QuoteProvider, HistoryProvider, ProfileProvider {
  public let id: ProviderID
  public let capabilities: ProviderCapabilities
  public let market: SimulatedMarket
  private let behaviour: Mutex<SimulatedBehaviour>
  private let clock: any MarketClock
  private let random: Mutex<SeededRandom>
  private let calls = Atomic<Int>(0)

  public init(
    id: ProviderID, market: SimulatedMarket, clock: any MarketClock,
    behaviour: SimulatedBehaviour = SimulatedBehaviour(), seed: UInt64? = nil
  ) {
    self.id = id
    self.market = market
    self.behaviour = Mutex(behaviour)
    self.clock = clock
    self.random = Mutex(SeededRandom(seed: SeededRandom.derivedSeed(seed ?? market.seed, "provider:" + id.name)))
    self.capabilities = ProviderCapabilities(maximumBatchSize: behaviour.maximumBatchSize)
  }

  /// The behaviour can change at run time (tests, fault injection from the simulate server).
  public var currentBehaviour: SimulatedBehaviour {
    get { behaviour.withLock { $0 } }
    set { behaviour.withLock { $0 = newValue } }
  }

  /// Upstream calls made so far (a batch counts once).
  public var callCount: Int { calls.load(ordering: .relaxed) }

  public func quotes(for symbols: [Symbol]) async throws -> [Symbol: Result<Quote, ProviderError>] {
    try await behaveLikeAnUpstreamCall()
    let now = clock.now()
    let receivedAt = clock.wallTime(at: now)
    // The provider's as-of time is the start of the grid step the price belongs to.
    var results: [Symbol: Result<Quote, ProviderError>] = [:]
    for symbol in symbols {
      guard let tick = market.tick(for: symbol, at: now) else {
        results[symbol] = .failure(.unknownSymbol(symbol))
        continue
      }
      let asOf = clock.wallTime(at: MarketInstant(nanoseconds: tick.step * market.stepInterval.nanoseconds))
      results[symbol] = .success(Self.quote(from: tick, asOf: asOf, receivedAt: receivedAt, source: id))
    }
    return results
  }

  /// Takes the time, and fails the way, the configured behaviour says one upstream call does.
  private func behaveLikeAnUpstreamCall() async throws {
    calls.add(1, ordering: .relaxed)
    let behaviour = currentBehaviour
    let start = clock.now()
    enum Outcome { case answer, error, timeout, garbage }
    let (delay, outcome): (Duration, Outcome) = random.withLock { random in
      let roll = random.nextUnit()
      let latency = behaviour.latency.sample(&random)
      if roll < behaviour.timeoutRate { return (behaviour.timeout, .timeout) }
      if roll < behaviour.timeoutRate + behaviour.errorRate { return (latency, .error) }
      if roll < behaviour.timeoutRate + behaviour.errorRate + behaviour.garbageRate { return (latency, .garbage) }
      return (latency, .answer)
    }
    if behaviour.isInOutage(at: start) {
      throw ProviderError.transport("connection refused (simulated outage)")
    }
    if delay > .zero {
      do { try await clock.sleep(until: start + delay) } catch { throw ProviderError.cancelled }
    }
    switch outcome {
    case .timeout: throw ProviderError.timeout
    case .error: throw ProviderError.upstreamStatus(503)
    case .garbage: throw ProviderError.malformedBody(excerpt: "<html><body>502 Bad Gateway (simulated)")
    case .answer: break
    }
  }

  static func quote(from tick: SimulatedMarket.Tick, asOf: Date, receivedAt: Date, source: ProviderID) -> Quote {
    let decimals = tick.price < 10 ? 4 : 2
    let price = tick.price.rounded(toDecimals: decimals)
    let previousClose = tick.previousClose.rounded(toDecimals: decimals)
    let change = (price - previousClose).rounded(toDecimals: decimals)
    return Quote(
      symbol: tick.symbol, price: price, change: change,
      changePercent: (change / previousClose * 100).rounded(toDecimals: 2),
      open: tick.open.rounded(toDecimals: decimals), high: tick.high.rounded(toDecimals: decimals),
      low: tick.low.rounded(toDecimals: decimals), previousClose: previousClose, volume: tick.volume,
      currency: tick.currency, asOf: asOf, receivedAt: receivedAt, source: source, isSimulated: true)
  }
}

extension SimulatedProvider {
  public var historyIntervals: Set<BarInterval> { Set(BarInterval.allCases) }

  /// The simulated market's bars, backfilled from its seed; the last one closes at the live
  /// price. Every answer is marked simulated.
  public func history(for symbol: Symbol, interval: BarInterval, from: Int64, to: Int64) async throws -> HistoryAnswer {
    try await behaveLikeAnUpstreamCall()
    let now = clock.now()
    guard let tick = market.tick(for: symbol, at: now),
      let bars = market.bars(
        for: symbol, interval: interval, from: from, to: to, now: clock.wallTime(at: now),
        origin: clock.wallTime(at: .origin), livePrice: tick.price)
    else { throw ProviderError.unknownSymbol(symbol) }
    let zone =
      switch symbol.exchangeSuffix {
      case "HK": "Asia/Hong_Kong"
      case "SS", "SZ": "Asia/Shanghai"
      default: symbol.assetClass == .crypto ? "UTC" : "America/New_York"
      }
    return HistoryAnswer(bars: bars, currency: tick.currency, exchangeTimeZone: zone, isSimulated: true)
  }

  public func profiles(for symbols: [Symbol]) async throws -> [Symbol: Result<Profile, ProviderError>] {
    try await behaveLikeAnUpstreamCall()
    let receivedAt = clock.wallNow()
    var results: [Symbol: Result<Profile, ProviderError>] = [:]
    for symbol in symbols {
      guard let tick = market.tick(for: symbol, at: clock.now()),
        let profile = market.profile(of: symbol, price: tick.price, source: id, receivedAt: receivedAt)
      else {
        results[symbol] = .failure(.unknownSymbol(symbol))
        continue
      }
      results[symbol] = .success(profile)
    }
    return results
  }
}

extension Double {
  /// Rounds to the provider's precision so no float noise (244.47000122070312) is shown.
  public func rounded(toDecimals decimals: Int) -> Double {
    let scale = Foundation.pow(10, Double(decimals))
    return (self * scale).rounded() / scale
  }
}
