import Foundation
import MarketCore

/// Stooq's keyless CSV quote: `GET /q/l/?s=aapl.us&f=sd2t2ohlcv&h&e=csv`.
///
/// One header line and one row per symbol (CRLF). An unknown symbol is a row of `N/D`, not
/// an HTTP error; an HTML page or any other non-CSV body with 200 is malformed; the daily
/// allowance running out is a plain-text 200 ("Exceeded the daily hits limit"). Date and
/// time are Stooq's local time (Europe/Warsaw, CET/CEST) with no zone, converted to UTC here.
/// The light quote has no previous close, so change fields stay empty.
public struct StooqAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  public let origin: String
  public let capabilities = ProviderCapabilities(
    assetClasses: [.equity, .forex], exchanges: .unitedStatesAnd(Set(Self.marketSuffixes.keys)), maximumBatchSize: 1)

  /// Stooq's market suffix for each canonical (Yahoo) exchange suffix.
  private static let marketSuffixes: [String: String] = ["L": "uk", "DE": "de", "T": "jp"]
  /// Stooq stamps quotes with Warsaw wall time.
  static let timeZone = TimeZone(identifier: "Europe/Warsaw")

  public init(id: ProviderID = "stooq", origin: String = "https://stooq.com") {
    self.id = id
    self.origin = origin
  }

  /// `aapl.us`, `brk-b.us`, `vod.uk`, `eurusd`.
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    switch symbol.assetClass {
    case .equity:
      guard let suffix = symbol.exchangeSuffix else { return symbol.text.lowercased() + ".us" }
      return Self.marketSuffixes[String(suffix)].map { symbol.localTicker.lowercased() + "." + $0 }
    case .forex:
      return symbol.currencyPair.map { ($0.base + $0.quote).lowercased() }
    case .crypto, .index, .future:
      return nil
    }
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (_, providerSymbol) = try mappedBatch(symbols)[0]
    return HTTPRequestSpec(
      origin: origin, path: "/q/l/",
      queryItems: [
        HTTPQueryItem(name: "s", value: providerSymbol), HTTPQueryItem(name: "f", value: "sd2t2ohlcv"),
        HTTPQueryItem(name: "h", value: nil), HTTPQueryItem(name: "e", value: "csv"),
      ],
      headers: [HTTPHeader(name: "Accept", value: "text/csv")], symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard !response.body.isEmpty else { throw .malformedBody(excerpt: "empty body") }
    guard response.body.count <= ResponseTriage.maximumBodyBytes else {
      throw .malformedBody(excerpt: "body of \(response.body.count) bytes is too large")
    }
    let text = String(decoding: response.body, as: UTF8.self)
    if text.contains("Exceeded the daily hits limit") { throw .quotaExhausted }
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    guard let headerLine = lines.first, headerLine.lowercased().hasPrefix("symbol,") else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let columns = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.lowercased() }
    guard let symbolColumn = columns.firstIndex(of: "symbol"), let closeColumn = columns.firstIndex(of: "close") else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<Quote, ProviderError>] = [:]
    for line in lines.dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      guard cells.count == columns.count else { throw ResponseTriage.malformed(response.body, redacting: []) }
      guard let symbol = requested[cells[symbolColumn].trimmingWhitespace().uppercased()] else { continue }
      if cells[closeColumn] == "N/D" {
        quotes[symbol] = .failure(.unknownSymbol(symbol))
        continue
      }
      quotes[symbol] = quote(from: cells, columns: columns, symbol: symbol, response: response)
    }
    for symbol in response.symbols where quotes[symbol] == nil { quotes[symbol] = .failure(.unknownSymbol(symbol)) }
    return quotes
  }

  private func quote(
    from cells: [Substring], columns: [String], symbol: Symbol, response: HTTPResponseSnapshot
  ) -> Result<Quote, ProviderError> {
    func cell(_ name: String) -> Substring? {
      columns.firstIndex(of: name).map { cells[$0] }
    }
    func number(_ name: String) -> Double? { cell(name).flatMap { NumberParsing.decimal($0) } }
    guard let zone = Self.timeZone, let day = cell("date"),
      let asOf = MarketTime.date(localDate: day, time: cell("time"), in: zone)
    else {
      return .failure(QuoteDraft.malformed("no usable date for \(symbol)"))
    }
    let draft = QuoteDraft(
      price: number("close"), open: number("open"), high: number("high"), low: number("low"),
      volume: number("volume"), asOf: .at(asOf))
    return draft.normalized(
      symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
      source: response.source)
  }
}
