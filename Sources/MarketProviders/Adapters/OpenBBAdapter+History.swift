import Foundation
import MarketCore

/// OpenBB's bars: `GET /api/v1/equity/price/historical?symbol=&start_date=&end_date=&interval=
/// &provider=`, one symbol a call, both dates included.
///
/// The answer is the OBBject envelope with `results` rows of the standard EquityHistorical
/// model: `date`, `open`, `high`, `low`, `close`, `volume`, and per backend `vwap`,
/// `adj_close`, `split_ratio`, `dividend`. `date` is `YYYY-MM-DD` for daily and longer bars,
/// and an ISO date-time for intraday ones: with its offset from yfinance
/// (`2024-01-02T09:30:00-05:00`), naive New York wall time from FMP (read in the listing's
/// zone), and a bare date when the bar starts at midnight (the standard model turns such a
/// date-time into a date). No bars is a bare 204 (`EmptyDataError`), whether the symbol is
/// unknown or the window empty, so it is an empty answer, never an unknown symbol. Errors are
/// the quote route's (`detail` read by its words). An intraday window of more than 50,000
/// bars (a month of minute bars) is refused up front. `lianyaohu simulate` answers this route
/// too and marks its rows `"simulated": true`.
extension OpenBBAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { Self.historyIntervals(of: backend) }

  /// The bar sizes each backend's equity historical model accepts (its `interval` literal).
  static func historyIntervals(of backend: String) -> Set<BarInterval> {
    switch backend {
    case "yfinance", "intrinio", "tmx", "polygon", "alpha_vantage": Set(BarInterval.allCases)
    case "fmp": [.oneMinute, .fiveMinutes, .fifteenMinutes, .thirtyMinutes, .oneHour, .oneDay]
    case "tradier": [.oneMinute, .fiveMinutes, .fifteenMinutes, .oneDay, .oneWeek, .oneMonth]
    case "cboe": [.oneMinute, .oneDay]
    case "tiingo": [.oneDay, .oneWeek, .oneMonth]
    // A backend we have no rule for is asked for daily bars only, which every one serves.
    default: [.oneDay]
    }
  }

  /// OpenBB's spelling of a bar size: weeks and months as `1W` and `1M`.
  static func intervalParameter(_ interval: BarInterval) -> String {
    switch interval {
    case .oneWeek: "1W"
    case .oneMonth: "1M"
    default: interval.rawValue
    }
  }

  /// The most bars one window may hold, counted over calendar time: a month of minute bars.
  /// A wider intraday window would outgrow the transport's 4 MiB before openbb-api finished it.
  static let maximumBarsPerCall: Int64 = 50_000

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    guard (query.to - query.from) / query.interval.seconds <= Self.maximumBarsPerCall else {
      throw .unsupportedSymbol(query.symbol)
    }
    let days = BarDating.askedDays(for: query)
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/equity/price/historical",
      queryItems: [
        HTTPQueryItem(name: "symbol", value: providerSymbol),
        HTTPQueryItem(name: "start_date", value: BarDating.text(ofDay: days.first)),
        HTTPQueryItem(name: "end_date", value: BarDating.text(ofDay: days.last)),
        HTTPQueryItem(name: "interval", value: Self.intervalParameter(query.interval)),
        HTTPQueryItem(name: "provider", value: backend),
      ],
      headers: requestHeaders, symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    // EmptyDataError: nothing in the window (or nothing under the symbol; OpenBB cannot tell).
    if response.status == 204 { return HistoryAnswer(bars: []) }
    guard response.isSuccess else {
      switch failureMeaning(response) {
      case .failure(let error): throw error
      case .success(let meaning): throw meaning.error(for: query.symbol)
      }
    }
    let document = try ResponseTriage.json(response, limit: ResponseTriage.maximumHistoryBodyBytes, redacting: secrets)
    guard let results = document["results"], let entries = results.arrayValue ?? (results.isNull ? [] : nil) else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let zone = ExchangeZone.zone(for: query.symbol)
    var rows: [BarRow] = []
    var isSimulated = document["extra"]?["simulated"] == .bool(true)
    for row in entries {
      guard let date = row["date"]?.stringValue, let start = Self.start(of: date, query.interval, zone: zone) else {
        throw ResponseTriage.malformed(response.body, redacting: secrets)
      }
      if row["simulated"] == .bool(true) { isSimulated = true }
      rows.append(
        BarRow(
          start: start, open: row["open"]?.doubleValue, high: row["high"]?.doubleValue, low: row["low"]?.doubleValue,
          close: row["close"]?.doubleValue, adjustedClose: row["adj_close"]?.doubleValue,
          volume: row["volume"]?.doubleValue))
    }
    // yfinance hands OpenBB Yahoo's float32 values (244.47000122070312).
    let bars = BarRows.bars(
      rows, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass), float32: backend == "yfinance")
    return HistoryAnswer(bars: bars, isSimulated: isSimulated)
  }

  /// A row's `date` as a bar start: a calendar date for daily and longer bars, an instant for
  /// intraday ones (naive times and bare dates in the listing's zone).
  static func start(of date: String, _ interval: BarInterval, zone: TimeZone) -> Int64? {
    guard interval.isIntraday else { return BarDating.day(date).map { BarDating.start(ofDay: $0, interval) } }
    let instant =
      date.utf8.count > 10
      ? MarketTime.date(iso8601: date, assumedZone: zone) : MarketTime.date(localDate: Substring(date), time: nil, in: zone)
    return instant.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
  }
}
