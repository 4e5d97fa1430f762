import Foundation
import MarketCore
import Synchronization

/// A history and profile provider whose answers a test scripts, recording every upstream call
/// (symbol, interval and the `[from, to)` asked), optionally held at a ``Gate``.
public final class ScriptedHistoryProvider: HistoryProvider, ProfileProvider {
  public typealias Responder = @Sendable (Symbol, BarInterval, Int64, Int64) async throws -> HistoryAnswer

  public struct Call: Hashable, Sendable {
    public var symbol: Symbol
    public var interval: BarInterval
    public var from: Int64
    public var to: Int64
  }

  public let id: ProviderID
  public let capabilities = ProviderCapabilities(maximumBatchSize: 20)
  public let historyIntervals: Set<BarInterval>
  public let gate: Gate?
  /// Symbols it says do not exist, for history and profiles alike.
  public let unknown: Set<Symbol>
  private let responder: Mutex<Responder>
  private let log = Mutex<[Call]>([])
  private let profileLog = Mutex<[[Symbol]]>([])
  private let clock: any MarketClock

  public init(
    id: ProviderID, clock: any MarketClock, intervals: Set<BarInterval> = Set(BarInterval.allCases), gate: Gate? = nil,
    unknown: Set<Symbol> = [], responder: @escaping Responder = ScriptedHistoryProvider.weekdayBars
  ) {
    self.id = id
    self.clock = clock
    self.historyIntervals = intervals
    self.gate = gate
    self.unknown = unknown
    self.responder = Mutex(responder)
  }

  public func respond(with responder: @escaping Responder) { self.responder.withLock { $0 = responder } }

  public var calls: [Call] { log.withLock { $0 } }
  public var callCount: Int { log.withLock { $0.count } }
  public var profileCalls: [[Symbol]] { profileLog.withLock { $0 } }

  public func history(for symbol: Symbol, interval: BarInterval, from: Int64, to: Int64) async throws -> HistoryAnswer {
    log.withLock { $0.append(Call(symbol: symbol, interval: interval, from: from, to: to)) }
    if let gate { try await gate.wait() }
    if unknown.contains(symbol) { throw ProviderError.unknownSymbol(symbol) }
    let responder = self.responder.withLock { $0 }
    return try await responder(symbol, interval, from, to)
  }

  public func profiles(for symbols: [Symbol]) async throws -> [Symbol: Result<Profile, ProviderError>] {
    profileLog.withLock { $0.append(symbols) }
    let now = clock.wallNow()
    return Dictionary(
      uniqueKeysWithValues: symbols.map { symbol -> (Symbol, Result<Profile, ProviderError>) in
        guard !unknown.contains(symbol) else { return (symbol, .failure(.unknownSymbol(symbol))) }
        let profile = Profile(
          symbol: symbol, name: "\(symbol) Inc.", sector: "Technology", source: id, receivedAt: now, isSimulated: false)
        return (symbol, .success(profile))
      })
  }

  /// One daily bar per weekday in the range (close 100 + days since 2020), a bar of the
  /// interval's length otherwise: orderly bars any validator accepts.
  public static let weekdayBars: Responder = { _, interval, from, to in
    var bars: [Bar] = []
    let step = interval.isIntraday ? interval.seconds : 86_400
    var start = (from + step - 1) / step * step
    while start < to {
      let day = start / 86_400
      if (day + 3) % 7 < 5 {
        let close = 100 + Double(day - 18_262) * 0.01
        bars.append(Bar(start: start, open: close - 0.5, high: close + 1, low: close - 1, close: close, volume: 1_000))
      }
      start += step
    }
    return HistoryAnswer(bars: bars, currency: "USD", exchangeTimeZone: "America/New_York")
  }
}
