import Foundation
import MarketCore

/// Alpha Vantage's bars: `TIME_SERIES_DAILY` (`outputsize=compact`, the latest 100 sessions,
/// or `full`, twenty years and more), `TIME_SERIES_WEEKLY` and `TIME_SERIES_MONTHLY` (their
/// whole history), equities only, one symbol a call.
///
/// The answer is `{"Meta Data": {…}, "Time Series (Daily)": {"2023-01-10": {"1. open":
/// "130.2600", …, "5. volume": "63896200"}, …}}` (`Weekly Time Series`, `Monthly Time
/// Series`): an object keyed by the exchange's calendar date, newest first, every number a
/// string; weeks and months are dated by their last session and re-dated here. These series
/// are not adjusted (the adjusted ones are premium), so bars carry no adjusted close. A window
/// starting within the last 130 days asks `compact` (free keys have 25 calls a day, and
/// `full` is a megabyte); an older one asks `full`, which a plan that refuses it answers with
/// a premium notice: `unsupported_symbol`. Failures are the quote path's HTTP 200 bodies
/// (`Error Message`, `Note`, `Information`), read the same way; "Invalid API call" for a
/// symbol it does not know is an unknown symbol.
extension AlphaVantageAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { [.oneDay, .oneWeek, .oneMonth] }

  /// The daily, weekly and monthly series are equity series; pairs have other functions.
  public func servesHistory(of symbol: Symbol) -> Bool { symbol.assetClass == .equity && canServe(symbol) }

  /// How far back `compact` reaches with room to spare: 100 sessions are about 145 days.
  static let compactReach: Int64 = 130 * 86_400

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    var items: [HTTPQueryItem]
    switch query.interval {
    case .oneWeek: items = [HTTPQueryItem(name: "function", value: "TIME_SERIES_WEEKLY")]
    case .oneMonth: items = [HTTPQueryItem(name: "function", value: "TIME_SERIES_MONTHLY")]
    default:
      let size = query.from >= query.now - Self.compactReach ? "compact" : "full"
      items = [HTTPQueryItem(name: "function", value: "TIME_SERIES_DAILY"), HTTPQueryItem(name: "outputsize", value: size)]
    }
    items.insert(HTTPQueryItem(name: "symbol", value: providerSymbol), at: 1)
    items.append(HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true))
    return HTTPRequestSpec(
      origin: origin, path: "/query", queryItems: items, headers: [HTTPHeader(name: "Accept", value: "application/json")],
      symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    let document = try document(of: response, limit: ResponseTriage.maximumHistoryBodyBytes, about: query.symbol)
    switch failureMeaning(in: document, response) {
    case .success(let meaning)?: throw meaning.error(for: query.symbol)
    case .failure(let error)?: throw error
    case nil: break
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    let key =
      switch query.interval {
      case .oneWeek: "Weekly Time Series"
      case .oneMonth: "Monthly Time Series"
      default: "Time Series (Daily)"
      }
    guard let series = document[key]?.objectValue else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    var rows: [BarRow] = []
    rows.reserveCapacity(series.count)
    for (date, fields) in series {
      guard let day = BarDating.day(date) else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
      rows.append(
        BarRow(
          start: BarDating.start(ofDay: day, query.interval), open: fields["1. open"]?.doubleValue,
          high: fields["2. high"]?.doubleValue, low: fields["3. low"]?.doubleValue, close: fields["4. close"]?.doubleValue,
          volume: fields["5. volume"]?.doubleValue))
    }
    return HistoryAnswer(
      bars: BarRows.bars(rows, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass)))
  }

  /// The body as JSON; a body that is not JSON is read by its words (a proxy's limit page)
  /// or its status.
  func document(of response: HTTPResponseSnapshot, limit: Int, about symbol: Symbol) throws(ProviderError) -> JSONValue {
    do {
      return try ResponseTriage.json(response, limit: limit, redacting: [apiKey])
    } catch {
      guard !response.isSuccess else { throw error }
      throw ResponseTriage.failure(ResponseTriage.meaningOfText(response), response, about: symbol, redacting: [apiKey])
    }
  }

  /// What an Alpha Vantage failure body means, whichever function was called: its `Error
  /// Message` (an unknown symbol, a bad key), `Note` or `Information` (limits, the demo key,
  /// premium endpoints) read by their words; nil when the body is not a failure. Words never
  /// seen before under `Note` or `Information` are still a limit, one that passes.
  func failureMeaning(in document: JSONValue, _ response: HTTPResponseSnapshot) -> Result<ErrorMessage.Meaning, ProviderError>? {
    if let message = document["Error Message"]?.stringValue {
      return ResponseTriage.meaning(of: message, response).map { .success($0) }
        ?? .failure(ResponseTriage.statusError(for: response) ?? .upstreamStatus(400))
    }
    if let message = document["Note"]?.stringValue ?? document["Information"]?.stringValue {
      return .success(
        ResponseTriage.meaning(of: message, response) ?? .rateLimited(retryAfter: ResponseTriage.retryAfter(in: response)))
    }
    return nil
  }
}
