import Foundation
import MarketCore

/// Polygon's bars: aggregates, `GET /v2/aggs/ticker/{T}/range/{multiplier}/{timespan}/{from}/
/// {to}?adjusted=true&sort=asc&limit=50000`, for stocks, indices (`I:SPX`), crypto
/// (`X:BTCUSD`) and forex (`C:EURUSD`), whichever quote endpoint is configured.
///
/// `results` rows have single-letter keys: `o`, `h`, `l`, `c`, `v`, `vw`, `n`, and `t`, the
/// bar's start in epoch MILLISECONDS. Daily and longer bars of stocks and indices start at
/// midnight New York time, those of crypto and forex at midnight UTC, and are dated by that
/// calendar. `from`/`to` are dates for daily and longer bars and millisecond instants for
/// intraday ones, both included. No bars (or a ticker Polygon does not know: it cannot tell
/// them apart here) is `resultsCount: 0` without `results`, an empty answer. A longer answer
/// than one page comes with `next_url`; following it would spend more calls of a 5-a-minute
/// free plan inside one, so a window estimated at more than 30,000 bars (which would also
/// outgrow the transport's 4 MiB) is refused up front, and an answer that still has a next
/// page is `unsupported_symbol`: ask a narrower window. Errors are the quote path's.
extension PolygonAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { Set(BarInterval.allCases) }

  public func servesHistory(of symbol: Symbol) -> Bool {
    [.equity, .index, .crypto, .forex].contains(symbol.assetClass) && symbol.exchangeSuffix == nil
      && Self.ticker(for: symbol) != nil
  }

  /// The most bars one window may hold, counted over calendar time (an overestimate for
  /// anything that does not trade around the clock).
  static let maximumBarsPerCall: Int64 = 30_000

  static func range(of interval: BarInterval) -> (multiplier: Int, timespan: String) {
    switch interval {
    case .oneMinute: (1, "minute")
    case .fiveMinutes: (5, "minute")
    case .fifteenMinutes: (15, "minute")
    case .thirtyMinutes: (30, "minute")
    case .oneHour: (1, "hour")
    case .oneDay: (1, "day")
    case .oneWeek: (1, "week")
    case .oneMonth: (1, "month")
    }
  }

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    guard historyIntervals.contains(query.interval), servesHistory(of: query.symbol),
      let ticker = Self.ticker(for: query.symbol),
      (query.to - query.from) / query.interval.seconds <= Self.maximumBarsPerCall
    else { throw .unsupportedSymbol(query.symbol) }
    let (first, last): (String, String)
    if query.interval.isIntraday {
      (first, last) = (String(query.from * 1000), String(query.to * 1000 - 1))
    } else {
      let days = BarDating.askedDays(for: query)
      (first, last) = (BarDating.text(ofDay: days.first), BarDating.text(ofDay: days.last))
    }
    let (multiplier, timespan) = Self.range(of: query.interval)
    let path =
      "/v2/aggs/ticker/\(HTTPRequestSpec.encodePathSegment(ticker))/range/\(multiplier)/\(timespan)/\(first)/\(last)"
    var items = [
      HTTPQueryItem(name: "adjusted", value: "true"), HTTPQueryItem(name: "sort", value: "asc"),
      HTTPQueryItem(name: "limit", value: "50000"),
    ]
    var headers = [HTTPHeader(name: "Accept", value: "application/json")]
    authenticate(&items, &headers)
    return HTTPRequestSpec(origin: origin, path: path, queryItems: items, headers: headers, symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    let document = try document(of: response, limit: ResponseTriage.maximumHistoryBodyBytes, about: query.symbol)
    if let error = failure(in: document, response, about: query.symbol) { throw error }
    if let next = document["next_url"], !next.isNull { throw .unsupportedSymbol(query.symbol) }
    guard let results = document["results"]?.arrayValue else {
      // `{"resultsCount": 0, …}` without `results`: no bars there. Anything else without
      // `results` is not an aggregates answer, and never passes for an empty one.
      guard document["resultsCount"]?.int64Value == 0, document["results"].map(\.isNull) ?? true else {
        throw ResponseTriage.malformed(response.body, redacting: [apiKey])
      }
      return HistoryAnswer(bars: [])
    }
    let zone = ExchangeZone.zone(for: query.symbol)
    var rows: [BarRow] = []
    rows.reserveCapacity(results.count)
    for bar in results {
      guard let milliseconds = bar["t"]?.int64Value, let date = MarketTime.date(epochMilliseconds: milliseconds) else {
        throw ResponseTriage.malformed(response.body, redacting: [apiKey])
      }
      let instant = Int64(date.timeIntervalSince1970.rounded(.down))
      let start =
        query.interval.isIntraday
        ? instant : BarDating.start(ofDay: BarDating.day(of: instant, in: zone), query.interval)
      rows.append(
        BarRow(
          start: start, open: bar["o"]?.doubleValue, high: bar["h"]?.doubleValue, low: bar["l"]?.doubleValue,
          close: bar["c"]?.doubleValue, volume: bar["v"]?.doubleValue))
    }
    return HistoryAnswer(
      bars: BarRows.bars(rows, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass)))
  }

  /// The key, as configured: the `apiKey` query parameter or a bearer header.
  func authenticate(_ items: inout [HTTPQueryItem], _ headers: inout [HTTPHeader]) {
    switch authentication {
    case .queryParameter:
      items.append(HTTPQueryItem(name: "apiKey", value: apiKey.revealedValue, isSensitive: true))
    case .bearerHeader:
      headers.append(HTTPHeader(name: "Authorization", value: "Bearer " + apiKey.revealedValue, isSensitive: true))
    }
  }

  /// The body as JSON; one that is not JSON is read by its words (an edge's page) or status.
  func document(of response: HTTPResponseSnapshot, limit: Int, about symbol: Symbol) throws(ProviderError) -> JSONValue {
    do throws(ProviderError) {
      let document = try ResponseTriage.json(response, limit: limit, redacting: [apiKey])
      guard document.objectValue != nil else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
      return document
    } catch {
      guard !response.isSuccess else { throw error }
      throw ResponseTriage.failure(ResponseTriage.meaningOfText(response), response, about: symbol, redacting: [apiKey])
    }
  }

  /// The error a Polygon failure body means for `symbol` (see the type's table): the plan not
  /// covering it, a ticker it does not know, or `status: ERROR` read by its words; nil for a
  /// body that is not a failure.
  func failure(in document: JSONValue, _ response: HTTPResponseSnapshot, about symbol: Symbol) -> ProviderError? {
    let status = document["status"]?.stringValue ?? ""
    if status == "NOT_AUTHORIZED" { return .unsupportedSymbol(symbol) }
    if status == "NOT_FOUND" || response.status == 404 { return .unknownSymbol(symbol) }
    guard !response.isSuccess || status == "ERROR" else { return nil }
    let message = document["error"]?.stringValue ?? document["message"]?.stringValue ?? ""
    return ResponseTriage.failure(ResponseTriage.meaning(of: message, response), response, about: symbol, redacting: [apiKey])
  }
}
