import Foundation
import MarketCore
import MarketProviders

/// OpenBB's historical-price and profile routes over the simulated market: the same seeded
/// bars and companies the in-process simulated provider serves, in openbb-api's shape.
///
/// `GET /api/v1/equity/price/historical?symbol=&start_date=&end_date=&interval=&provider=`
/// answers rows of the standard EquityHistorical model (`date`, `open`, `high`, `low`,
/// `close`, `volume`, `adj_close`), dates `YYYY-MM-DD` for daily and longer bars and UTC
/// date-times with their offset for intraday ones (a bare date at midnight, as the standard
/// model writes it); both dates are included, the defaults are the year to today. No bars,
/// or an unlisted symbol, is the bare 204 of openbb-core's `EmptyDataError`.
/// `GET /api/v1/equity/profile?symbol=A,B&provider=` answers EquityInfo rows; a symbol the
/// market does not list gets the backends' "No data found" warning, and none at all a 204.
/// A bad parameter is FastAPI's 422 validation list, as on the quote route.
extension SimulatedOpenBB {
  /// The bar sizes the route accepts, by OpenBB's spelling (and Yahoo's, which openbb-api's
  /// yfinance backend also takes).
  static let intervals: [String: BarInterval] = [
    "1m": .oneMinute, "5m": .fiveMinutes, "15m": .fifteenMinutes, "30m": .thirtyMinutes, "1h": .oneHour, "60m": .oneHour,
    "1d": .oneDay, "1W": .oneWeek, "1wk": .oneWeek, "1M": .oneMonth, "1mo": .oneMonth,
  ]

  func historical(_ query: [String: String], backend: String, at now: MarketInstant, id: String) -> Reply {
    let symbols: [Symbol]
    switch Self.symbols(in: query) {
    case .failure(let refusal): return refusal.reply
    case .success(let parsed): symbols = parsed.symbols
    }
    guard symbols.count == 1, let symbol = symbols.first else {
      return Self.validationError(
        type: "value_error", field: "symbol", message: "Value error, one symbol at a time",
        input: .string(String((query["symbol"] ?? "").prefix(200))))
    }
    let intervalText = query["interval"] ?? "1d"
    guard let interval = Self.intervals[intervalText] else {
      return Self.validationError(
        type: "literal_error", field: "interval",
        message: "Input should be '1m', '5m', '15m', '30m', '1h', '1d', '1W' or '1M'", input: .string(intervalText))
    }
    let wall = clock.wallTime(at: now)
    let today = Self.startOfDay(wall)
    var days: [String: Date] = [:]
    for field in ["start_date", "end_date"] {
      guard let text = query[field] else { continue }
      guard let date = MarketTime.date(localDate: Substring(text), time: nil, in: MarketTime.utc), text.utf8.count == 10 else {
        return Self.validationError(
          type: "date_from_datetime_parsing", field: field, message: "Input should be a valid date or datetime",
          input: .string(String(text.prefix(40))))
      }
      days[field] = date
    }
    let end = days["end_date"] ?? today
    let start = days["start_date"] ?? end.addingTimeInterval(-365 * 86_400)
    guard start <= end else { return .detail("start_date must be before end_date.", status: 400) }
    let from = Int64(start.timeIntervalSince1970)
    let to = Int64(end.timeIntervalSince1970) + 86_400
    // openbb-core turns EmptyDataError into a bare 204: nothing listed, or nothing there.
    let empty = Reply(status: 204, contentType: nil, body: [])
    guard let tick = market.tick(for: symbol, at: now),
      let bars = market.bars(
        for: symbol, interval: interval, from: from, to: to, now: wall, origin: clock.wallTime(at: .origin),
        livePrice: tick.price), !bars.isEmpty
    else { return empty }
    let rows = bars.map { Self.row(for: $0, interval: interval) }
    let arguments: [(String, JSONText)] = [
      ("symbol", .string(symbol.text)), ("interval", .string(intervalText)),
      ("start_date", .string(Self.dayText(start))), ("end_date", .string(Self.dayText(end))),
    ]
    return .json(
      envelope(
        rows, warnings: [], backend: backend, route: "/equity/price/historical", arguments: arguments, at: now, id: id))
  }

  func profiles(_ query: [String: String], backend: String, at now: MarketInstant, id: String) -> Reply {
    let list: String
    let symbols: [Symbol]
    switch Self.symbols(in: query) {
    case .failure(let refusal): return refusal.reply
    case .success(let parsed): (list, symbols) = parsed
    }
    var rows: [JSONText] = []
    var warnings: [JSONText] = []
    for symbol in symbols {
      guard let tick = market.tick(for: symbol, at: now),
        let profile = market.profile(of: symbol, price: tick.price, source: "simulated", receivedAt: clock.wallTime(at: now))
      else {
        warnings.append(Self.noDataWarning(for: symbol))
        continue
      }
      rows.append(Self.row(for: profile))
    }
    guard !rows.isEmpty else { return Reply(status: 204, contentType: nil, body: []) }
    return .json(
      envelope(
        rows, warnings: warnings, backend: backend, route: "/equity/profile", arguments: [("symbol", .string(list))],
        at: now, id: id))
  }

  /// One EquityHistorical row; absent values are left out, as openbb-api leaves them out.
  static func row(for bar: Bar, interval: BarInterval) -> JSONText {
    let start = Date(timeIntervalSince1970: TimeInterval(bar.start))
    let date: String =
      interval.isIntraday && bar.start % 86_400 != 0
      ? NaiveUTCTime.format(start, fractionDigits: 0) + "+00:00" : dayText(start)
    var fields: [(String, JSONText)] = [
      ("date", .string(date)), ("open", .number(bar.open)), ("high", .number(bar.high)), ("low", .number(bar.low)),
      ("close", .number(bar.close)),
    ]
    if let volume = bar.volume {
      fields.append(("volume", volume.rounded() == volume && abs(volume) < 1e15 ? .integer(Int64(volume)) : .number(volume)))
    }
    if let adjusted = bar.adjustedClose { fields.append(("adj_close", .number(adjusted))) }
    fields.append(("simulated", .bool(true)))
    return .object(fields)
  }

  /// One EquityInfo row with the fields the backends fill in; absent values left out.
  static func row(for profile: Profile) -> JSONText {
    var fields: [(String, JSONText)] = [("symbol", .string(profile.symbol.text))]
    let texts: [(String, String?)] = [
      ("name", profile.name), ("stock_exchange", profile.exchange), ("sector", profile.sector),
      ("industry_category", profile.industry), ("hq_country", profile.country), ("company_url", profile.website),
      ("long_description", profile.description), ("currency", profile.currency),
    ]
    for (name, value) in texts { if let value { fields.append((name, .string(value))) } }
    for (name, amount) in [("market_cap", profile.marketCap), ("shares_outstanding", profile.sharesOutstanding)] {
      guard let amount, amount.isFinite, abs(amount) < 9e18 else { continue }
      fields.append((name, .integer(Int64(amount.rounded()))))
    }
    fields.append(("simulated", .bool(true)))
    return .object(fields)
  }

  /// `YYYY-MM-DD` of a UTC date.
  static func dayText(_ date: Date) -> String {
    String(NaiveUTCTime.format(date, fractionDigits: 0).prefix(10))
  }

  static func startOfDay(_ date: Date) -> Date {
    let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400))
  }
}
