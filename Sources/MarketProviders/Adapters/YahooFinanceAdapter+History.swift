import Foundation
import MarketCore

/// Yahoo's bars: the keyless v8 chart with `period1`/`period2` (epoch seconds) and
/// `interval`, one symbol a call.
///
/// The answer is the chart envelope of the quote path: `meta` (currency, `priceHint`,
/// `exchangeTimezoneName`, `gmtoffset`), a `timestamp` array (absent when there are no bars)
/// and parallel arrays under `indicators.quote[0]` and `indicators.adjclose[0]`, float32-noisy
/// (244.47000122070312), with `null` in every array for a session without trades. Daily,
/// weekly and monthly timestamps are the session's open in exchange time, dated here by the
/// exchange's calendar. Yahoo keeps minute bars for 30 days (7 a request), 5 to 30 minute
/// bars for 60 days and hourly bars for 730; a window past that is `unsupportedSymbol` up
/// front, and the 422 Yahoo answers when its limits move ("1m data not available for
/// startTime=… The requested range must be within the last 30 days") is read the same way.
extension YahooFinanceAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { Set(BarInterval.allCases) }

  /// How far back (and, for minute bars, how wide a window) Yahoo serves each intraday size.
  static let intradayReach: [BarInterval: (age: Int64, span: Int64?)] = [
    .oneMinute: (30 * 86_400, 7 * 86_400),
    .fiveMinutes: (60 * 86_400, nil), .fifteenMinutes: (60 * 86_400, nil), .thirtyMinutes: (60 * 86_400, nil),
    .oneHour: (730 * 86_400, nil),
  ]

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    let (period1, period2): (Int64, Int64)
    if let reach = Self.intradayReach[query.interval] {
      guard query.from >= query.now - reach.age, reach.span.map({ query.to - query.from <= $0 }) ?? true else {
        throw .unsupportedSymbol(query.symbol)
      }
      (period1, period2) = (query.from, query.to)
    } else {
      // A session opens on its local date, which can be the UTC day before (Auckland) or
      // after; a day either side is asked and the bars are kept by their local date.
      let days = BarDating.askedDays(for: query)
      (period1, period2) = (days.first - BarDating.secondsPerDay, days.last + 2 * BarDating.secondsPerDay)
    }
    return HTTPRequestSpec(
      origin: chartOrigin, path: "/v8/finance/chart/" + HTTPRequestSpec.encodePathSegment(providerSymbol),
      queryItems: [
        HTTPQueryItem(name: "period1", value: String(period1)), HTTPQueryItem(name: "period2", value: String(period2)),
        HTTPQueryItem(name: "interval", value: query.interval.rawValue),
        HTTPQueryItem(name: "includePrePost", value: "false"),
      ],
      headers: [HTTPHeader(name: "Accept", value: "application/json")], symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, limit: ResponseTriage.maximumHistoryBodyBytes, redacting: [])
    } catch {
      // Rate limits come as plain text, edge errors as HTML pages.
      guard !response.isSuccess else { throw error }
      throw ResponseTriage.failure(ResponseTriage.meaningOfText(response), response, about: query.symbol, redacting: [])
    }
    if let error = [document["finance"]?["error"], document["chart"]?["error"]].compactMap({ $0 }).first(where: { !$0.isNull }) {
      throw historyFailure(error, response, query)
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let chart = document["chart"]?["result"]?[0], let meta = chart["meta"], meta.objectValue != nil else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let zone = meta["exchangeTimezoneName"]?.stringValue.flatMap { TimeZone(identifier: $0) }
    let offset = meta["gmtoffset"]?.int64Value.flatMap { TimeZone(secondsFromGMT: Int(clamping: $0)) }
    let calendar = zone ?? offset ?? ExchangeZone.zone(for: query.symbol)
    let quote = chart["indicators"]?["quote"]?[0]
    let adjusted = chart["indicators"]?["adjclose"]?[0]?["adjclose"]
    var rows: [BarRow] = []
    for (index, time) in (chart["timestamp"]?.arrayValue ?? []).enumerated() {
      guard let instant = time.int64Value, MarketTime.date(epochSeconds: instant) != nil else { continue }
      let start =
        query.interval.isIntraday
        ? instant : BarDating.start(ofDay: BarDating.day(of: instant, in: calendar), query.interval)
      func value(_ name: String) -> Double? { quote?[name]?[index]?.doubleValue }
      rows.append(
        BarRow(
          start: start, open: value("open"), high: value("high"), low: value("low"), close: value("close"),
          adjustedClose: adjusted?[index]?.doubleValue, volume: value("volume")))
    }
    let hint = meta["priceHint"]?.int64Value.map { Int(min(max($0, 0), 10)) } ?? 0
    let decimals = max(hint, PricePrecision.decimals(for: query.symbol.assetClass))
    return HistoryAnswer(
      bars: BarRows.bars(rows, for: query, decimals: decimals, float32: true), currency: meta["currency"]?.stringValue,
      exchangeTimeZone: zone?.identifier)
  }

  /// `chart.error` or `finance.error`: `Not Found` is an unknown symbol; a range Yahoo keeps
  /// no bars of this size for is not this endpoint's to serve; anything else by its words.
  private func historyFailure(_ error: JSONValue, _ response: HTTPResponseSnapshot, _ query: HistoryQuery) -> ProviderError {
    let code = error["code"]?.stringValue ?? ""
    let description = error["description"]?.stringValue ?? ""
    if code == "Not Found" { return .unknownSymbol(query.symbol) }
    let lowered = description.lowercased()
    if lowered.contains("data not available") || lowered.contains("requested range") || lowered.contains("granularity") {
      return .unsupportedSymbol(query.symbol)
    }
    let meaning = ResponseTriage.meaning(of: code + ": " + description, response)
    return ResponseTriage.failure(meaning, response, about: query.symbol, redacting: [])
  }
}
