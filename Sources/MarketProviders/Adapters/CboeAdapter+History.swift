import Foundation
import MarketCore

/// Cboe's daily bars: `GET /api/global/delayed_quotes/charts/historical/{SYMBOL}.json` on
/// `cdn.cboe.com`, keyless, the listing's whole daily history in one file (AAPL back to 2004,
/// VIX to 1990), of which the window's bars are kept.
///
/// The body is `{"data": [{"date": "YYYY-MM-DD", "open", "high", "low", "close",
/// "volume"}, …]}`, oldest first, dated by the exchange's calendar; values are numbers or
/// numeric strings, and rows before the listing began quote all zeros (no trading, so no bar).
/// Indices take the quote path's underscore (`_VIX`). A file the CDN lacks is a 403 (S3's
/// `AccessDenied`) or 404, an unknown symbol; a CloudFront block page is the CDN refusing us,
/// as on the quote path.
extension CboeAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { [.oneDay] }

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    return HTTPRequestSpec(
      origin: origin,
      path: "/api/global/delayed_quotes/charts/historical/" + HTTPRequestSpec.encodePathSegment(providerSymbol) + ".json",
      headers: [HTTPHeader(name: "Accept", value: "application/json")], symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    if response.status == 403 || response.status == 404 {
      let text = ResponseTriage.text(of: response).lowercased()
      if text.contains("request blocked") || text.contains("could not be satisfied") {
        throw .upstreamStatus(response.status)
      }
      throw .unknownSymbol(query.symbol)
    }
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, limit: ResponseTriage.maximumHistoryBodyBytes, redacting: [])
    } catch {
      guard !response.isSuccess else { throw error }
      throw ResponseTriage.failure(ResponseTriage.meaningOfText(response), response, about: query.symbol, redacting: [])
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let rows = document["data"]?.arrayValue else { throw ResponseTriage.malformed(response.body, redacting: []) }
    var bars: [BarRow] = []
    for row in rows {
      guard let date = row["date"]?.stringValue, let day = BarDating.day(date) else {
        throw ResponseTriage.malformed(response.body, redacting: [])
      }
      guard day >= query.from, day < query.to else { continue }
      let prices = ["open", "high", "low", "close"].map { row[$0]?.doubleValue }
      // Before the listing began: zeros, not a session.
      if prices.allSatisfy({ $0 == 0 }) { continue }
      bars.append(
        BarRow(
          start: day, open: prices[0], high: prices[1], low: prices[2], close: prices[3],
          volume: row["volume"]?.doubleValue))
    }
    return HistoryAnswer(
      bars: BarRows.bars(bars, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass)),
      currency: "USD")
  }
}
