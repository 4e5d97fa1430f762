import Foundation
import MarketCore

/// The OpenBB Platform REST API (`openbb-api`): `GET /api/v1/equity/price/quote`, batched.
///
/// Answers come in the OBBject envelope (`results`, `provider`, `warnings`, `extra`).
/// `change_percent` is a fraction (0.0430957 for +4.31 %) and is converted to percent;
/// yfinance-backed results carry no `change`/`change_percent`, which are then derived from
/// `last_price` and `prev_close`. `last_timestamp` is a naive ISO time, read as UTC.
/// Errors are `{"detail": …}` (a string, or a list for validation errors) with 400, 401, 422
/// or 500; an empty result is a bare 204. A result with `"simulated": true` (only
/// `lianyaohu simulate` sends one) yields a quote marked simulated.
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
    // yfinance takes Yahoo's symbols for every asset class; the other backends are asked for
    // US equities only, where every one of them uses the plain ticker.
    self.capabilities =
      backend == "yfinance"
      ? ProviderCapabilities(maximumBatchSize: maximumBatchSize)
      : ProviderCapabilities(assetClasses: [.equity], exchanges: .unitedStatesOnly, maximumBatchSize: maximumBatchSize)
  }

  public func providerSymbol(for symbol: Symbol) -> String? {
    capabilities.canServe(symbol) ? symbol.text : nil
  }

  public func makeRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try mappedBatch(symbols)
    var headers = [HTTPHeader(name: "Accept", value: "application/json")]
    if let credentials {
      let pair = Data("\(credentials.username):\(credentials.password.revealedValue)".utf8).base64EncodedString()
      headers.append(HTTPHeader(name: "Authorization", value: "Basic " + pair, isSensitive: true))
    }
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/equity/price/quote",
      queryItems: [
        HTTPQueryItem(name: "symbol", value: batch.map(\.providerSymbol).joined(separator: ",")),
        HTTPQueryItem(name: "provider", value: backend),
      ],
      headers: headers, symbols: symbols)
  }

  public func parse(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Quote, ProviderError>] {
    // OpenBB's EmptyDataError: nothing found for any requested symbol.
    if response.status == 204 {
      return Dictionary(uniqueKeysWithValues: response.symbols.map { ($0, .failure(.unknownSymbol($0))) })
    }
    guard response.isSuccess else { throw error(for: response) }
    let document = try ResponseTriage.json(response, redacting: secrets)
    guard let results = document["results"], let rows = results.arrayValue ?? (results.isNull ? [] : nil) else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let requested = requestedSymbols(of: response)
    var quotes: [Symbol: Result<Quote, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      var result = draft(from: row).normalized(
        symbol: symbol, decimals: PricePrecision.decimals(for: symbol.assetClass), receivedAt: response.receivedAt,
        source: response.source)
      // `lianyaohu simulate` marks its made-up prices; OpenBB itself has no such field.
      if case .bool(true)? = row["simulated"], case .success(var quote) = result {
        quote.isSimulated = true
        result = .success(quote)
      }
      quotes[symbol] = result
    }
    for symbol in response.symbols where quotes[symbol] == nil { quotes[symbol] = .failure(.unknownSymbol(symbol)) }
    return quotes
  }

  private var secrets: [Secret] { credentials.map { [$0.password] } ?? [] }

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

  /// Maps a failed response using its `detail`. A 400 is OpenBB relaying its backend's
  /// failure, so the message decides: a backend credential problem is `unauthorized` here too.
  private func error(for response: HTTPResponseSnapshot) -> ProviderError {
    let detail = (try? JSONValue(parsing: response.body)).flatMap { Self.detailText($0["detail"]) } ?? ""
    switch response.status {
    case 400:
      let lowered = detail.lowercased()
      if lowered.contains("unauthorized") || lowered.contains("credentials") || lowered.contains("api key") {
        return .unauthorized
      }
      if lowered.contains("rate limit") || lowered.contains("limit reach") || lowered.contains("too many requests") {
        return .rateLimited(retryAfter: ResponseTriage.retryAfter(in: response))
      }
      return .upstreamStatus(400)
    default:
      return ResponseTriage.statusError(for: response) ?? .upstreamStatus(response.status)
    }
  }

  /// `detail` as text: a plain string, or the `msg` fields of a validation error list.
  private static func detailText(_ detail: JSONValue?) -> String? {
    guard let detail else { return nil }
    if let text = detail.stringValue { return text }
    if let items = detail.arrayValue {
      return items.compactMap { $0["msg"]?.stringValue ?? $0.stringValue }.joined(separator: "; ")
    }
    return detail["msg"]?.stringValue
  }
}
