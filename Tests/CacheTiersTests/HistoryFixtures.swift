import Foundation
import MarketCore

@testable import CacheTiers

/// 2025-12-01 00:00 UTC, a Monday.
let historyOrigin: Int64 = 1_764_547_200

/// The calendar block of `interval` holding `time`.
func calendarBlock(_ symbol: Symbol, _ interval: BarInterval, containing time: Int64) -> HistoryBlock {
  HistoryBlock.covering(symbol, interval, from: time, to: time + 1)[0]
}

/// An orderly block as a provider would send it: daily bars on weekdays, intraday bars one
/// interval apart, prices that move, some adjusted closes and volumes missing; received at a
/// whole microsecond, as the tiers keep times, so it compares equal after a round trip.
func sampleBlock(
  _ symbol: Symbol, _ interval: BarInterval = .oneDay, containing time: Int64 = historyOrigin - 40 * 86_400,
  bars limit: Int? = nil, source: ProviderID = "yahoo", receivedAt seconds: Int64 = historyOrigin, base: Double = 100
) -> BarBlock {
  let block = calendarBlock(symbol, interval, containing: time)
  let step = interval.isIntraday ? interval.seconds : 86_400
  var bars: [Bar] = []
  var start = block.start
  var index = 0
  while start < block.end, bars.count < (limit ?? .max) {
    if interval.isIntraday || (start / 86_400 + 3) % 7 < 5 {
      let close = base + Double(index % 37) * 0.37 - Double(index % 11) * 0.11
      bars.append(
        Bar(
          start: start, open: close - 0.25, high: close + 1.125, low: close - 1.5, close: close,
          adjustedClose: index % 3 == 0 ? nil : close * 0.98, volume: index % 5 == 0 ? nil : Double(1_000 + index * 17)))
      index += 1
    }
    start += step
  }
  return BarBlock(
    block: block, bars: bars, currency: "USD", exchangeTimeZone: "America/New_York", source: source,
    receivedAt: EntryEnvelope.date(microseconds: seconds * 1_000_000 + 250), isSimulated: false)
}

/// A profile received at a whole microsecond.
func sampleProfile(_ symbol: Symbol, name: String? = nil, receivedAt seconds: Int64 = historyOrigin) -> Profile {
  Profile(
    symbol: symbol, name: name ?? "\(symbol.text) Incorporated", exchange: "NASDAQ", currency: "USD", sector: "Technology",
    industry: "Consumer Electronics", marketCap: 3.9e12, sharesOutstanding: 1.48e10, country: "US",
    website: "https://example.com", description: String(repeating: "Makes things people carry around. ", count: 12),
    source: "fmp", receivedAt: EntryEnvelope.date(microseconds: seconds * 1_000_000 + 500), isSimulated: false)
}
