import Foundation
import MarketCore

/// Stooq's bars: the CSV download `GET /q/d/l/?s=aapl.us&d1=YYYYMMDD&d2=YYYYMMDD&i=d` (`i=w`
/// weekly, `i=m` monthly), both dates included, with `apikey` when one is configured.
///
/// The body is `Date,Open,High,Low,Close,Volume` (no `Volume` for indices and pairs), one row
/// per session, oldest first, dated by Stooq's local calendar (weeks and months by their last
/// session, re-dated here to their Monday and first day). "No data" is the whole body for a
/// window without bars and for a symbol Stooq lacks alike, so it is an empty answer, never an
/// unknown symbol (a month that has not started would otherwise mark AAPL unknown). "Exceeded
/// the daily hits limit" is the spent daily allowance; an HTML page that asks for an API key
/// (what Stooq serves CSV clients without one since March 2026) is `unauthorized`; any other
/// page with 200 (a browser check) is malformed, as on the quote path.
extension StooqAdapter: HTTPHistoryAdapter {
  public var historyIntervals: Set<BarInterval> { [.oneDay, .oneWeek, .oneMonth] }

  public func makeHistoryRequest(for query: HistoryQuery) throws(ProviderError) -> HTTPRequestSpec {
    let providerSymbol = try historySymbol(for: query)
    let days = BarDating.askedDays(for: query)
    let size =
      switch query.interval {
      case .oneWeek: "w"
      case .oneMonth: "m"
      default: "d"
      }
    var items = [
      HTTPQueryItem(name: "s", value: providerSymbol), HTTPQueryItem(name: "d1", value: BarDating.compactText(ofDay: days.first)),
      HTTPQueryItem(name: "d2", value: BarDating.compactText(ofDay: days.last)), HTTPQueryItem(name: "i", value: size),
    ]
    if let apiKey { items.append(HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true)) }
    return HTTPRequestSpec(
      origin: origin, path: "/q/d/l/", queryItems: items, headers: [HTTPHeader(name: "Accept", value: "text/csv")],
      symbols: [query.symbol])
  }

  public func parseHistory(_ response: HTTPResponseSnapshot, for query: HistoryQuery) throws(ProviderError) -> HistoryAnswer {
    let secrets = apiKey.map { [$0] } ?? []
    guard response.body.count <= ResponseTriage.maximumHistoryBodyBytes else {
      throw .malformedBody(excerpt: "body of \(response.body.count) bytes is too large")
    }
    let text = String(decoding: response.body, as: UTF8.self)
    if text.contains("Exceeded the daily hits limit") { throw .quotaExhausted }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    let trimmed = Substring(text).trimmingWhitespace()
    if trimmed.lowercased() == "no data" { return HistoryAnswer(bars: []) }
    if ResponseTriage.looksLikeHTML(String(trimmed.prefix(64))) {
      // A page asking for a key, not one that merely mentions one (a gateway's error page
      // echoing the request's `apikey=`).
      let lowered = text.prefix(16_384).lowercased()
      let namesAKey = ["apikey", "api key", "api_key"].contains { lowered.contains($0) }
      let asksForOne = ["requir", "get your", "get_apikey"].contains { lowered.contains($0) }
      if namesAKey && asksForOne { throw .unauthorized }
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let lines = trimmed.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    guard let header = lines.first else { throw ResponseTriage.malformed(response.body, redacting: secrets) }
    let columns = header.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingWhitespace().lowercased()
    }
    guard let dateColumn = columns.firstIndex(of: "date"), columns.contains("close") else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
    let (open, high, low, close, volume) = (column("open"), column("high"), column("low"), column("close"), column("volume"))
    var rows: [BarRow] = []
    for line in lines.dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      guard cells.count == columns.count, let day = BarDating.day(cells[dateColumn].trimmingWhitespace()) else {
        throw ResponseTriage.malformed(response.body, redacting: secrets)
      }
      func number(_ index: Int?) -> Double? { index.flatMap { NumberParsing.decimal(cells[$0]) } }
      rows.append(
        BarRow(
          start: BarDating.start(ofDay: day, query.interval), open: number(open), high: number(high), low: number(low),
          close: number(close), volume: number(volume)))
    }
    return HistoryAnswer(
      bars: BarRows.bars(rows, for: query, decimals: PricePrecision.decimals(for: query.symbol.assetClass)))
  }
}
