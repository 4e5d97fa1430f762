import Foundation
import MarketCore

/// FMP's daily bars: `GET /stable/historical-price-eod/full?symbol=&from=&to=` (both dates
/// included), or the legacy `GET /api/v3/historical-price-full/{SYMBOL}?from=&to=`, one symbol
/// a call. Intraday charts are a paid plan's and not asked.
///
/// The stable answer is an array of `{"symbol", "date": "2023-01-10", "open", "high", "low",
/// "close", "volume", "change", "changePercent", "vwap"}` rows, NEWEST FIRST, unadjusted; the
/// legacy one wraps them as `{"symbol", "historical": […]}` and adds `adjClose`. Dates are
/// the exchange's calendar. No rows (`[]`, or `{}` on v3) is an empty answer: FMP answers a
/// symbol it lacks the same way. Errors are the quote path's `{"Error Message": …}` bodies.
extension FinancialModelingPrepAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { [.oneDay] }

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    let days = BarDating.askedDays(for: query)
    let window = [
      HTTPQueryItem(name: "from", value: BarDating.text(ofDay: days.first)),
      HTTPQueryItem(name: "to", value: BarDating.text(ofDay: days.last)),
    ]
    let key = HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true)
    let accept = [HTTPHeader(name: "Accept", value: "application/json")]
    switch endpoint {
    case .stable:
      return HTTPRequestSpec(
        origin: origin, path: "/stable/historical-price-eod/full",
        queryItems: [HTTPQueryItem(name: "symbol", value: providerSymbol)] + window + [key], headers: accept,
        symbols: [query.symbol])
    case .legacyV3:
      return HTTPRequestSpec(
        origin: origin, path: "/api/v3/historical-price-full/" + HTTPRequestSpec.encodePathSegment(providerSymbol),
        queryItems: window + [key], headers: accept, symbols: [query.symbol])
    }
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    let document = try document(of: response, limit: ResponseTriage.maximumHistoryBodyBytes, about: query.symbol)
    if let meaning = failureMeaning(in: document, response) {
      switch meaning {
      case .success(let meaning): throw meaning.error(for: query.symbol)
      case .failure(let error): throw error
      }
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard
      let rows = document.arrayValue ?? document["historical"]?.arrayValue ?? (document.objectValue?.isEmpty == true ? [] : nil)
    else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    var bars: [BarRow] = []
    bars.reserveCapacity(rows.count)
    for row in rows {
      guard let date = row["date"]?.stringValue, let day = BarDating.day(date) else {
        throw ResponseTriage.malformed(response.body, redacting: [apiKey])
      }
      bars.append(
        BarRow(
          start: day, open: row["open"]?.doubleValue, high: row["high"]?.doubleValue, low: row["low"]?.doubleValue,
          close: row["close"]?.doubleValue, adjustedClose: row["adjClose"]?.doubleValue, volume: row["volume"]?.doubleValue))
    }
    return HistoryAnswer(bars: BarRows.bars(bars, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass)))
  }

  /// The body as JSON; one that is not JSON is read by its words (an edge's page) or status.
  func document(of response: HTTPResponseSnapshot, limit: Int, about symbol: Symbol) throws(ProviderError) -> JSONValue {
    do {
      return try ResponseTriage.json(response, limit: limit, redacting: [apiKey])
    } catch {
      guard !response.isSuccess else { throw error }
      throw ResponseTriage.failure(ResponseTriage.meaningOfText(response), response, about: symbol, redacting: [apiKey])
    }
  }

  /// What an FMP failure body (`{"Error Message": …}` or `{"error": …}`) means; nil when the
  /// body is not one.
  func failureMeaning(in document: JSONValue, _ response: HTTPResponseSnapshot) -> Result<ErrorMessage.Meaning, ProviderError>? {
    guard let message = document["Error Message"]?.stringValue ?? document["error"]?.stringValue else { return nil }
    return ResponseTriage.meaning(of: message, response).map { .success($0) }
      ?? .failure(ResponseTriage.statusError(for: response) ?? .upstreamStatus(400))
  }
}
