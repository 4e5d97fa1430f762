import Foundation
import MarketCore

/// Stooq's keyless CSV quote: `GET /q/l/?s=aapl.us&f=sd2t2ohlcv&h&e=csv`.
///
/// One header line and one row per symbol (CRLF). An unknown symbol is a row of `N/D`, not
/// an HTTP error; an HTML page or any other non-CSV body with 200 is malformed; the daily
/// allowance running out is a plain-text 200 ("Exceeded the daily hits limit"). Date and
/// time are Stooq's local time (Europe/Warsaw, CET/CEST) with no zone, converted to UTC here.
/// The light quote has no previous close, so change fields stay empty.
///
/// Stooq documents no coverage, so nothing is refused up front: US listings get `.us`, the
/// markets it names by country get theirs (`vod.uk`, `sap.de`, `7203.jp`, `0700.hk`), indices
/// and futures its own spelling (`^spx`, `gc.f`), pairs are run together (`eurusd`, `btcusd`),
/// and anything else is sent lower-cased as it is; what Stooq lacks comes back as `N/D`.
public struct StooqAdapter: HTTPQuoteAdapter {
  public let id: ProviderID
  /// The key Stooq has asked of CSV downloads since March 2026, sent with history requests
  /// as `apikey`; nil sends none (and Stooq may answer with a page asking for one).
  public let apiKey: Secret?
  public let origin: String
  public let capabilities = ProviderCapabilities(maximumBatchSize: 1)

  /// Stooq's market suffix for each canonical (Yahoo) exchange suffix.
  private static let marketSuffixes: [String: String] = ["L": "uk", "DE": "de", "T": "jp", "HK": "hk"]
  /// Stooq's names for the indices Yahoo spells otherwise.
  private static let indexNames: [String: String] = [
    "GSPC": "spx", "IXIC": "ndq", "N225": "nkx", "FTSE": "ukx", "GDAXI": "dax", "FCHI": "cac",
  ]
  /// Stooq stamps quotes with Warsaw wall time.
  static let timeZone = TimeZone(identifier: "Europe/Warsaw")

  public init(id: ProviderID = "stooq", apiKey: Secret? = nil, origin: String = "https://stooq.com") {
    self.id = id
    self.apiKey = apiKey
    self.origin = origin
  }

  /// `aapl.us`, `brk-b.us`, `vod.uk`, `^spx`, `eurusd`, `gc.f`.
  public func providerSymbol(for symbol: Symbol) -> String? {
    switch symbol.assetClass {
    case .equity:
      guard let suffix = symbol.exchangeSuffix else { return symbol.text.lowercased() + ".us" }
      guard let market = Self.marketSuffixes[String(suffix)] else { return symbol.text.lowercased() }
      return symbol.localTicker.lowercased() + "." + market
    case .index:
      guard let name = symbol.indexName else { return symbol.text.lowercased() }
      return "^" + (Self.indexNames[String(name)] ?? name.lowercased())
    case .forex, .crypto:
      return symbol.currencyPair.map { ($0.base + $0.quote).lowercased() } ?? symbol.text.lowercased()
    case .future:
      return symbol.futuresRoot.map { $0.lowercased() + ".f" } ?? symbol.text.lowercased()
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
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    guard response.body.count <= ResponseTriage.maximumBodyBytes else {
      throw .malformedBody(excerpt: "body of \(response.body.count) bytes is too large")
    }
    let text = String(decoding: response.body, as: UTF8.self)
    if text.contains("Exceeded the daily hits limit") { throw .quotaExhausted }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard !response.body.isEmpty else { throw .malformedBody(excerpt: "empty body") }
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    guard let headerLine = lines.first, headerLine.lowercased().hasPrefix("symbol,") else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let columns = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.lowercased() }
    guard let symbolColumn = columns.firstIndex(of: "symbol"), let closeColumn = columns.firstIndex(of: "close") else {
      throw ResponseTriage.malformed(response.body, redacting: [])
    }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<NormalizedQuote, ProviderError>] = [:]
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
  ) -> Result<NormalizedQuote, ProviderError> {
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
    return draft.normalizedWithRepairs(
      symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
      source: response.source)
  }
}
