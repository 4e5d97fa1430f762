import Foundation
import MarketCore
import TerminalUI

/// A fixed series and profile for the detail view of AAPL: ninety daily bars ending the day
/// before ``Fixtures/time``, rising then falling, with five days missing (one gap).
enum DetailFixtures {
  static let symbol = Symbol("AAPL")
  static let day: Int64 = 86_400
  static let lastDay = Int64(Fixtures.time.timeIntervalSince1970) / day * day - day

  static func series(interval: BarInterval = .oneDay, range: HistoryRange = DetailView.initialRange) -> HistorySeries {
    var bars: [Bar] = []
    for index in 0..<90 where !(40..<45).contains(index) {
      let wave = sin(Double(index) / 9) * 12 + Double(index) * 0.35
      let close = 200 + wave
      let open = 200 + sin(Double(index - 1) / 9) * 12 + Double(index - 1) * 0.35
      bars.append(
        Bar(
          start: lastDay - Int64(89 - index) * day, open: open, high: max(open, close) + 1.5, low: min(open, close) - 1.25,
          close: close, volume: 1_000_000))
    }
    // `HistorySeries.Gap` is made only through its Codable form outside MarketCore.
    let gapJSON = "{\"after\":\(lastDay - 50 * day),\"before\":\(lastDay - 44 * day)}"
    let gaps = (try? JSONDecoder().decode(HistorySeries.Gap.self, from: Data(gapJSON.utf8))).map { [$0] } ?? []
    return HistorySeries(
      symbol: symbol, interval: interval, from: lastDay - 89 * day, to: Int64(Fixtures.time.timeIntervalSince1970) + 1,
      currency: "USD", exchangeTimeZone: "America/New_York", bars: bars, sources: ["sim-alpha", "sim-beta"],
      receivedAt: Fixtures.time - 120, isSimulated: true, gaps: gaps)
  }

  static func servedSeries() -> Served<HistorySeries> {
    Served(series(), isStale: false, age: .seconds(120), origin: .memory)
  }

  static func servedProfile() -> Served<Profile> {
    let profile = Profile(
      symbol: symbol, name: "Apple Inc.", exchange: "NASDAQ", currency: "USD", sector: "Technology",
      industry: "Consumer Electronics", marketCap: 3.4e12, sharesOutstanding: 1.5e10, country: "United States",
      website: "https://www.apple.com",
      description:
        "Designs, manufactures and markets smartphones, personal computers, tablets, wearables and accessories, "
        + "and sells a variety of related services.",
      source: "sim-alpha", receivedAt: Fixtures.time - 3600, isSimulated: true)
    return Served(profile, isStale: false, age: .seconds(3600), origin: .memory)
  }

  /// The fixture dashboard with AAPL's detail view open and both loads answered.
  static func state(width: Int, height: Int) -> DashboardState {
    var state = Fixtures.state(width: width, height: height)
    let effects = Fixtures.press([.enter], &state)
    for effect in effects {
      switch effect {
      case .loadHistory(let request): _ = update(&state, .historyLoaded(request, .success(servedSeries())))
      case .loadProfile(let symbol): _ = update(&state, .profileLoaded(symbol, .success(servedProfile())))
      default: break
      }
    }
    return state
  }
}
