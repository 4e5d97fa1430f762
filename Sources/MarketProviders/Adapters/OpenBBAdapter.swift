import Foundation
import MarketCore

/// The OpenBB Platform REST API (`openbb-api`): `GET /api/v1/equity/price/quote`, batched.
///
/// Answers come in the OBBject envelope (`results`, `provider`, `warnings`, `extra`).
/// `change_percent` is a fraction (0.0430957 for +4.31 %) and is converted to percent;
/// yfinance-backed results carry no `change`/`change_percent`, which are then derived from
/// `last_price` and `prev_close`. `last_timestamp` is a naive ISO time, read as UTC.
///
/// Failures are `{"detail": …}`. openbb-api wraps whatever its backend raised: an
/// `OpenBBError` (the backend's own error, an `UnauthorizedError`, a missing credential)
/// becomes a 400 whose `detail` is the error's text, which usually quotes the backend's
/// status and message ("FMP Error Message -> Status code: 429 -> Limit Reach ."); an
/// unexpected exception becomes a 500; a proxy in front may answer 502–504. So the words of
/// `detail` decide (``ErrorMessage``), and the status only when they say nothing. An empty
/// result is a bare 204 (`EmptyDataError`); a validation failure is a 422 whose `detail` is
/// a list, reported as that 422. A result with `"simulated": true` (only `lianyaohu simulate` sends one) yields a
/// quote marked simulated.
public struct OpenBBAdapter: HTTPQuoteAdapter {
  /// HTTP Basic credentials, for an API started with `OPENBB_API_AUTH`.
  public struct BasicCredentials: Hashable, Sendable {
    public var username: String
    public var password: Secret

    public init(username: String, password: Secret) {
      self.username = username
      self.password = password
    }
  }

  public let id: ProviderID
  /// Where the API listens, e.g. `http://127.0.0.1:6900` (the `openbb-api` default).
  public let origin: String
  /// OpenBB's data provider for the call (`fmp`, `yfinance`, `intrinio` …).
  public let backend: String
  public let credentials: BasicCredentials?
  public let capabilities: ProviderCapabilities

  public init(
    id: ProviderID = "openbb", origin: String = "http://127.0.0.1:6900", backend: String = "fmp",
    credentials: BasicCredentials? = nil, maximumBatchSize: Int = 20
  ) {
    self.id = id
    self.origin = origin
    self.backend = backend
    self.credentials = credentials
    self.capabilities = Self.capabilities(of: backend, maximumBatchSize: maximumBatchSize)
  }

  /// What each backend's equity quote serves, as its OpenBB provider and the service behind
  /// it document; a backend we have no rule for is asked for anything.
  private static func capabilities(of backend: String, maximumBatchSize: Int) -> ProviderCapabilities {
    switch backend {
    // FMP's quote endpoint takes indices, pairs and commodity futures too.
    case "fmp": ProviderCapabilities(maximumBatchSize: maximumBatchSize)
    // Intrinio's real-time prices come from US venues (IEX, Nasdaq, Cboe) only.
    case "intrinio":
      ProviderCapabilities(assetClasses: [.equity], exchanges: .unitedStatesOnly, maximumBatchSize: maximumBatchSize)
    case "cboe":
      ProviderCapabilities(assetClasses: [.equity, .index], exchanges: .unitedStatesOnly, maximumBatchSize: maximumBatchSize)
    case "tmx":
      ProviderCapabilities(
        assetClasses: [.equity], exchanges: .unitedStatesAnd(TMXAdapter.suffixes), maximumBatchSize: maximumBatchSize)
    default: ProviderCapabilities(maximumBatchSize: maximumBatchSize)
    }
  }

  /// The symbol as the backend takes it: yfinance takes Yahoo's own, fmp FMP's (`BTCUSD`),
  /// intrinio the dotted share class (`BRK.B`), cboe the index name (`SPX`, `VIX`), tmx the
  /// bare Canadian ticker (`SHOP`); any other backend gets the canonical symbol.
  public func providerSymbol(for symbol: Symbol) -> String? {
    guard capabilities.canServe(symbol) else { return nil }
    switch backend {
    case "fmp": return FinancialModelingPrepAdapter.fmpSymbol(for: symbol)
    case "intrinio": return symbol.text.replacingAll("-", with: ".")
    case "cboe": return symbol.indexName.map { CboeAdapter.cboeIndexName(for: $0) } ?? symbol.text
    case "tmx": return TMXAdapter.tmxSymbol(for: symbol)
    default: return symbol.text
    }
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try mappedBatch(symbols)
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/equity/price/quote",
      queryItems: [
        HTTPQueryItem(name: "symbol", value: batch.map(\.providerSymbol).joined(separator: ",")),
        HTTPQueryItem(name: "provider", value: backend),
      ],
      headers: requestHeaders, symbols: symbols)
  }

  /// What every request to openbb-api carries: JSON, and HTTP Basic credentials when the API
  /// was started with them.
  var requestHeaders: [HTTPHeader] {
    var headers = [HTTPHeader(name: "Accept", value: "application/json")]
    if let pair = basicPair {
      headers.append(HTTPHeader(name: "Authorization", value: "Basic " + pair.revealedValue, isSensitive: true))
    }
    return headers
  }

  /// `username:password` in base64, as the Authorization header carries it: a proxy that
  /// echoes the header echoes this, not the password.
  private var basicPair: Secret? {
    credentials.map { Secret(Data("\($0.username):\($0.password.revealedValue)".utf8).base64EncodedString()) }
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    try parseWithRepairs(response).withoutRepairs
  }

  public func parseWithRepairs(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    // OpenBB's EmptyDataError: nothing found for any requested symbol.
    if response.status == 204 { return response.failingEverySymbol { .unknownSymbol($0) } }
    guard response.isSuccess else { return try failure(response) }
    let document = try ResponseTriage.json(response, redacting: secrets)
    guard let results = document["results"], let rows = results.arrayValue ?? (results.isNull ? [] : nil) else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<NormalizedQuote, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      // A backend that knows the instrument but has no price for it (yfinance's `currentPrice`
      // is absent for indices and funds, and openbb-api leaves absent fields out): not this
      // provider's failure, not an unknown symbol. A price field that is there but unreadable
      // (null, text) is malformed like anywhere else.
      guard row["last_price"] != nil || row["close"] != nil else {
        quotes[symbol] = .failure(.unsupportedSymbol(symbol))
        continue
      }
      var result = draft(from: row).normalizedWithRepairs(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
      // `lianyaohu simulate` marks its made-up prices; OpenBB itself has no such field.
      if case .bool(true)? = row["simulated"], case .success(var normalized) = result {
        normalized.quote.isSimulated = true
        result = .success(normalized)
      }
      quotes[symbol] = result
    }
    let warnings = (document["warnings"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue ?? $0.stringValue }
    for symbol in response.symbols where quotes[symbol] == nil {
      quotes[symbol] = .failure(missingSymbolError(symbol, warnings: warnings, response))
    }
    return quotes
  }

  /// What no error excerpt may show: the password, and the header form it travels in.
  var secrets: [Secret] { [credentials?.password, basicPair].compactMap { $0 } }

  private func draft(from row: JSONValue) -> QuoteDraft {
    QuoteDraft(
      price: row["last_price"]?.doubleValue ?? row["close"]?.doubleValue,
      change: row["change"]?.doubleValue,
      // A normalised fraction in OpenBB's standard model; Quote wants percent.
      changePercent: row["change_percent"]?.doubleValue.map { $0 * 100 },
      open: row["open"]?.doubleValue, high: row["high"]?.doubleValue, low: row["low"]?.doubleValue,
      previousClose: row["prev_close"]?.doubleValue, volume: row["volume"]?.doubleValue,
      currency: row["currency"]?.stringValue,
      asOf: .reading(row["last_timestamp"]) { value in
        value.stringValue.flatMap { MarketTime.date(iso8601: $0, assumedZone: MarketTime.utc) }
      })
  }

  /// A symbol absent from the results: the backends turn per-symbol failures into warnings
  /// ("Error getting data for ZZZZ: …"), so a warning that names the symbol, or one about the
  /// whole call (a rate limit), says why; without one the symbol is unknown.
  func missingSymbolError(
    _ symbol: Symbol, warnings: [String], _ response: HTTPResponseSnapshot
  ) -> ProviderError {
    let name = providerSymbol(for: symbol)?.uppercased() ?? symbol.text
    let naming = warnings.filter { Self.mentions($0.uppercased(), token: name) }
    for warning in naming {
      if let meaning = ErrorMessage.meaning(of: warning) { return meaning.error(for: symbol) }
    }
    for warning in warnings {
      guard let meaning = ErrorMessage.meaning(of: warning) else { continue }
      switch meaning {
      case .rateLimited, .quotaExhausted, .unauthorized: return meaning.error(for: symbol)
      default: continue
      }
    }
    return .unknownSymbol(symbol)
  }

  /// A failed response, read by its `detail` first (see the type's documentation); per-symbol
  /// answers (unknown, outside the plan) come back as results, the rest are thrown.
  private func failure(
    _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>] {
    switch failureMeaning(response) {
    case .failure(let error): throw error
    case .success(let meaning):
      if let error = meaning.requestError { throw error }
      return response.failingEverySymbol { meaning.error(for: $0) }
    }
  }

  /// What a failed response means, whichever data class asked: a meaning read from its
  /// `detail` (or from a proxy's page in front), or the error of the whole request when no
  /// words explain it (a validation list, a setup error, a status alone).
  func failureMeaning(_ response: HTTPResponseSnapshot) -> Result<ErrorMessage.Meaning, ProviderError> {
    let document =
      response.body.count <= ResponseTriage.maximumBodyBytes ? try? JSONValue(parsing: response.body) : nil
    let detail = document?["detail"]
    // FastAPI's validation list: parameters openbb-api refused. A client error (not a
    // breaker fault, not an unknown symbol), whichever parameter it names.
    if let items = detail?.arrayValue, items.contains(where: { $0["loc"] != nil }) {
      return .failure(.upstreamStatus(response.status))
    }
    let byStatus = ResponseTriage.statusError(for: response) ?? .upstreamStatus(response.status)
    guard let document else {
      // A proxy's page in front of openbb-api (502 while it restarts), or plain text.
      return ResponseTriage.meaningOfText(response).map { .success($0) } ?? .failure(byStatus)
    }
    let text = Self.detailText(detail) ?? document["message"]?.stringValue ?? document["error"]?.stringValue ?? ""
    // openbb-api's own answers that are about its setup, not about the data: a route that
    // does not exist (FastAPI's bare "Not Found"), a backend that is not installed.
    let isSetupError = (response.status == 404 && text == "Not Found") || text.contains("registry")
    if !isSetupError, let meaning = ResponseTriage.meaning(of: text, response) { return .success(meaning) }
    return .failure(byStatus)
  }

  /// True when `text` contains `token` as a whole word (`AAPL` in "data for AAPL:", not `A`
  /// in "AAPL").
  static func mentions(_ text: String, token: String) -> Bool {
    guard !token.isEmpty else { return false }
    var rest = text[...]
    while let range = rest.firstRange(of: token) {
      let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
      let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
      let isBoundary = { (character: Character?) in
        guard let character else { return true }
        return !(character.isLetter || character.isNumber || character == "." || character == "-" || character == "^")
      }
      if isBoundary(before), isBoundary(after) { return true }
      rest = text[range.upperBound...]
    }
    return false
  }

  /// `detail` as text: a plain string, or the `msg` fields (or strings) of a list.
  static func detailText(_ detail: JSONValue?) -> String? {
    guard let detail else { return nil }
    if let text = detail.stringValue { return text }
    if let items = detail.arrayValue {
      return items.compactMap { $0["msg"]?.stringValue ?? $0.stringValue }.joined(separator: "; ")
    }
    return detail["msg"]?.stringValue
  }
}
