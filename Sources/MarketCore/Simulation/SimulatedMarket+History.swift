import Foundation

/// The simulated market's past: daily closes walk back (and forward) from each listing's
/// starting price on the day the market's clock began, with a return per day drawn from the
/// seed, the symbol and the day alone, so the same seed always gives the same history. Bars
/// follow the listing's calendar (weekday sessions for shares, weekdays for FX, every day for
/// crypto); intraday bars bridge each day's open to its close; weeks and months gather days.
/// Today's close is the live price, so the last bar ends where the quotes are.
extension SimulatedMarket {
  /// How a simulated listing trades.
  struct Session {
    /// Whether the listing trades on this UTC day (days since 1970).
    let trades: (Int64) -> Bool
    /// Seconds after UTC midnight the session opens and closes.
    let opens: Int64
    let closes: Int64

    init(_ symbol: Symbol) {
      switch symbol.assetClass {
      case .crypto:
        trades = { _ in true }
        (opens, closes) = (0, 86_400)
      case .forex:
        trades = Self.isWeekday
        (opens, closes) = (0, 86_400)
      case .equity, .index, .future:
        trades = Self.isWeekday
        switch symbol.exchangeSuffix {
        case "HK": (opens, closes) = (5_400, 28_800)  // 09:30–16:00 Hong Kong
        case "SS", "SZ": (opens, closes) = (5_400, 25_200)  // 09:30–15:00 Shanghai
        default: (opens, closes) = (52_200, 75_600)  // 09:30–16:00 New York (standard time)
        }
      }
    }

    static func isWeekday(_ day: Int64) -> Bool { (day + 3) % 7 < 5 }
  }

  /// The bars of `interval` starting in `[from, to)`, oldest first, as of `now`, for a market
  /// whose clock began at `origin` (wall time); nil when the symbol is not listed.
  public func bars(
    for symbol: Symbol, interval: BarInterval, from: Int64, to: Int64, now: Date, origin: Date, livePrice: Double
  ) -> [Bar]? {
    guard let listing = listing(symbol) else { return nil }
    let session = Session(symbol)
    let today = Int64(now.timeIntervalSince1970.rounded(.down)) / 86_400
    let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
    let end = min(to, nowSeconds + 1)
    guard from < end else { return [] }
    // The latest session on or before a day: on a weekend the last bar is Friday's, and it
    // still closes at the live price.
    func lastSession(onOrBefore day: Int64) -> Int64 {
      var day = day
      while !session.trades(day) { day -= 1 }
      return day
    }
    var daily = DailyPath(
      market: self, listing: listing, session: session,
      anchorDay: lastSession(onOrBefore: Int64(origin.timeIntervalSince1970) / 86_400),
      today: lastSession(onOrBefore: today), livePrice: livePrice)
    switch interval {
    case .oneDay:
      return (from / 86_400...(end - 1) / 86_400).compactMap { day in
        guard session.trades(day), day * 86_400 >= from else { return nil }
        return daily.bar(day)
      }
    case .oneWeek, .oneMonth:
      return aggregate(&daily, interval: interval, from: from, end: end)
    case .oneMinute, .fiveMinutes, .fifteenMinutes, .thirtyMinutes, .oneHour:
      var bars: [Bar] = []
      for day in from / 86_400...(end - 1) / 86_400 where session.trades(day) {
        guard let dayBar = daily.bar(day) else { continue }
        bars += intraday(dayBar, day: day, listing: listing, session: session, interval: interval)
          .filter { $0.start >= from && $0.start < end && $0.start <= nowSeconds }
      }
      return bars
    }
  }

  /// Weeks (from Monday) or months of daily bars, each dated by its first day.
  private func aggregate(_ daily: inout DailyPath, interval: BarInterval, from: Int64, end: Int64) -> [Bar] {
    var groups: [(start: Int64, bars: [Bar])] = []
    let firstDay = HistoryBlock.blockStart(interval == .oneWeek ? .fiveMinutes : .oneDay, containing: from) / 86_400
    for day in firstDay...(end - 1) / 86_400 where daily.session.trades(day) {
      guard let bar = daily.bar(day) else { continue }
      let start: Int64
      if interval == .oneWeek {
        start = HistoryBlock.blockStart(.fiveMinutes, containing: day * 86_400)
      } else {
        start = HistoryBlock.blockStart(.oneDay, containing: day * 86_400)
      }
      if groups.last?.start == start { groups[groups.count - 1].bars.append(bar) } else { groups.append((start, [bar])) }
    }
    return groups.compactMap { group in
      guard group.start >= from, let first = group.bars.first, let last = group.bars.last else { return nil }
      return Bar(
        start: group.start, open: first.open, high: group.bars.map(\.high).max() ?? first.high,
        low: group.bars.map(\.low).min() ?? first.low, close: last.close, adjustedClose: last.close,
        volume: group.bars.reduce(0) { $0 + ($1.volume ?? 0) })
    }
  }

  /// A day's intraday bars: a bridge from its open to its close with seeded wiggles.
  private func intraday(_ day: Bar, day index: Int64, listing: Listing, session: Session, interval: BarInterval) -> [Bar] {
    let length = interval.seconds
    let count = Int((session.closes - session.opens + length - 1) / length)
    guard count > 0 else { return [] }
    var random = SeededRandom(seed: SeededRandom.derivedSeed(seed, "\(listing.symbol.text)|\(interval.rawValue)|\(index)"))
    let sigma = listing.volatility * (Double(length) / (252 * 23_400)).squareRoot() * 0.5
    var walk = [0.0]
    for _ in 0..<count { walk.append((walk.last ?? 0) + sigma * random.nextGaussian()) }
    let drift = log(day.close / day.open)
    var bars: [Bar] = []
    var open = day.open
    for step in 1...count {
      let fraction = Double(step) / Double(count)
      let bridge = (walk[step] - fraction * walk[count])
      let close = step == count ? day.close : day.open * exp(drift * fraction + bridge)
      let swing = abs(close - open) * 0.3 + open * sigma * 0.2 * abs(random.nextGaussian())
      let volume = ((day.volume ?? 0) / Double(count) * (0.5 + random.nextUnit())).rounded()
      let bar = Bar(
        start: index * 86_400 + session.opens + Int64(step - 1) * length, open: open, high: max(open, close) + swing,
        low: max(min(open, close) - swing, min(open, close) * 0.5), close: close, volume: volume)
      bars.append(bar.rounded(toDecimals: close < 10 ? 4 : 2))
      open = close
    }
    return bars
  }

  func listing(_ symbol: Symbol) -> Listing? { listings[symbol] }
}

/// Daily bars of one listing, memoised while one answer is built.
struct DailyPath {
  let market: SimulatedMarket
  let listing: SimulatedMarket.Listing
  let session: SimulatedMarket.Session
  /// The day the market's clock began: its close is the listing's starting price.
  let anchorDay: Int64
  let today: Int64
  let livePrice: Double
  private var closes: [Int64: Double] = [:]

  init(
    market: SimulatedMarket, listing: SimulatedMarket.Listing, session: SimulatedMarket.Session, anchorDay: Int64,
    today: Int64, livePrice: Double
  ) {
    self.market = market
    self.listing = listing
    self.session = session
    self.anchorDay = anchorDay
    self.today = today
    self.livePrice = livePrice
  }

  /// The day's return, from the seed, the symbol and the day only.
  func dailyReturn(_ day: Int64) -> Double {
    var random = SeededRandom(seed: SeededRandom.derivedSeed(market.seed, "\(listing.symbol.text)|1d|\(day)"))
    let sigma = listing.volatility / 252.0.squareRoot()
    return -0.5 * sigma * sigma + sigma * random.nextGaussian()
  }

  /// The close of a trading day: the starting price on the anchor day, walked from there
  /// (backwards through later days' returns, forwards through earlier ones), and the live
  /// price today. Every close on the way is kept, so a series costs one walk.
  mutating func close(_ day: Int64) -> Double {
    if day >= today { return livePrice }
    if let close = closes[day] { return close }
    if closes.isEmpty { closes[anchorDay] = listing.startingPrice }
    if day < anchorDay {
      var cursor = closes.keys.filter { $0 > day && $0 <= anchorDay }.min() ?? anchorDay
      var close = closes[cursor] ?? listing.startingPrice
      while cursor > day {
        if session.trades(cursor) { close /= exp(dailyReturn(cursor)) }
        cursor -= 1
        closes[cursor] = close
      }
      return close
    }
    var cursor = closes.keys.filter { $0 < day && $0 >= anchorDay }.max() ?? anchorDay
    var close = closes[cursor] ?? listing.startingPrice
    while cursor < day {
      cursor += 1
      if session.trades(cursor) { close *= exp(dailyReturn(cursor)) }
      closes[cursor] = close
    }
    return close
  }

  /// The day's bar: from the previous trading day's close to this day's.
  mutating func bar(_ day: Int64) -> Bar? {
    guard session.trades(day) else { return nil }
    var previousDay = day - 1
    while !session.trades(previousDay), previousDay > day - 10 { previousDay -= 1 }
    let open = close(previousDay)
    let close = close(day)
    var random = SeededRandom(seed: SeededRandom.derivedSeed(market.seed, "\(listing.symbol.text)|range|\(day)"))
    let sigma = listing.volatility / 252.0.squareRoot()
    let high = max(open, close) * (1 + sigma * 0.5 * abs(random.nextGaussian()))
    let low = min(open, close) * (1 - min(0.5, sigma * 0.5 * abs(random.nextGaussian())))
    let volume = (1_000_000 * (0.5 + random.nextUnit()) * max(1, 200 / max(close, 0.01))).rounded()
    let decimals = close < 10 ? 4 : 2
    return Bar(start: day * 86_400, open: open, high: high, low: low, close: close, adjustedClose: close, volume: volume)
      .rounded(toDecimals: decimals)
  }
}

extension Bar {
  /// Prices at a provider's precision, kept in order after rounding.
  func rounded(toDecimals decimals: Int) -> Bar {
    let open = open.rounded(toDecimals: decimals)
    let close = close.rounded(toDecimals: decimals)
    let high = max(high.rounded(toDecimals: decimals), open, close)
    let low = min(low.rounded(toDecimals: decimals), open, close)
    return Bar(
      start: start, open: open, high: high, low: low, close: close,
      adjustedClose: adjustedClose.map { $0.rounded(toDecimals: decimals) }, volume: volume)
  }
}
