import Foundation
import MarketCore

/// Alpha Vantage's company profile: `GET /query?function=OVERVIEW&symbol=…`, equities only,
/// one symbol a call.
///
/// A flat object of strings: `Name`, `Exchange`, `Currency`, `Country`, `Sector`, `Industry`,
/// `Description`, `OfficialSite` (newer answers), `MarketCapitalization` and
/// `SharesOutstanding` as digit strings, and `"None"` wherever it has nothing. A symbol it does
/// not know is `{}`; failures are the usual HTTP 200 bodies.
extension AlphaVantageAdapter: HTTPProfileAdapter {
  public func servesProfile(of symbol: Symbol) -> Bool { symbol.assetClass == .equity && canServe(symbol) }

  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (symbol, providerSymbol) = try profileBatch(symbols)[0]
    return HTTPRequestSpec(
      origin: origin, path: "/query",
      queryItems: [
        HTTPQueryItem(name: "function", value: "OVERVIEW"), HTTPQueryItem(name: "symbol", value: providerSymbol),
        HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true),
      ],
      headers: [HTTPHeader(name: "Accept", value: "application/json")], symbols: [symbol])
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    let document = try document(of: response, limit: ResponseTriage.maximumBodyBytes, about: symbol)
    switch failureMeaning(in: document, response) {
    case .success(let meaning)?:
      return [symbol: .failure(try ResponseTriage.perSymbolFailure(meaning, response, about: symbol, redacting: [apiKey]))]
    case .failure(let error)?: throw error
    case nil: break
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    // `{}` is a symbol Alpha Vantage does not know; an object that is neither that nor an
    // overview (no `Symbol`, nothing that names a company) is not its answer.
    guard let fields = document.objectValue else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    if fields.isEmpty { return [symbol: .failure(.unknownSymbol(symbol))] }
    func text(_ name: String) -> String? { ProfileDraft.text(fields[name]) }
    let draft = ProfileDraft(
      name: text("Name"), exchange: text("Exchange"), currency: text("Currency"), sector: text("Sector"),
      industry: text("Industry"), marketCap: ProfileDraft.amount(fields["MarketCapitalization"]),
      sharesOutstanding: ProfileDraft.amount(fields["SharesOutstanding"]), country: text("Country"),
      website: text("OfficialSite"), description: text("Description"))
    guard !draft.isEmpty else {
      guard fields["Symbol"] != nil else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
      return [symbol: .failure(.unknownSymbol(symbol))]
    }
    return [symbol: .success(draft.profile(for: symbol, response))]
  }
}
