import Foundation
import MarketCore

/// Polygon's company profile: ticker details, `GET /v3/reference/tickers/{T}`, US stocks, one
/// ticker a call.
///
/// `results` holds `name`, `primary_exchange` (a MIC: `XNAS`), `currency_name` (`usd`),
/// `locale` (`us`), `market_cap`, `share_class_shares_outstanding` (or
/// `weighted_shares_outstanding`), `sic_description` (the industry, in SIC's words),
/// `homepage_url` and `description`; Polygon has no sector. A ticker it does not know is a
/// 404 with `status: NOT_FOUND`; other failures are the quote path's.
extension PolygonAdapter: HTTPProfileAdapter {
  public func servesProfile(of symbol: Symbol) -> Bool {
    symbol.assetClass == .equity && symbol.exchangeSuffix == nil && Self.ticker(for: symbol) != nil
  }

  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    precondition(symbols.count == 1, "\(id): one symbol a profile request")
    let symbol = symbols[0]
    guard servesProfile(of: symbol), let ticker = Self.ticker(for: symbol) else {
      throw .unsupportedSymbol(symbol)
    }
    var items: [HTTPQueryItem] = []
    var headers = [HTTPHeader(name: "Accept", value: "application/json")]
    authenticate(&items, &headers)
    return HTTPRequestSpec(
      origin: origin, path: "/v3/reference/tickers/" + HTTPRequestSpec.encodePathSegment(ticker), queryItems: items,
      headers: headers, symbols: [symbol])
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    let document = try document(of: response, limit: ResponseTriage.maximumBodyBytes, about: symbol)
    if let error = failure(in: document, response, about: symbol) {
      switch error {
      case .unknownSymbol, .unsupportedSymbol: return [symbol: .failure(error)]
      default: throw error
      }
    }
    guard let details = document["results"], details.objectValue != nil else {
      throw ResponseTriage.malformed(response.body, redacting: [apiKey])
    }
    let draft = ProfileDraft(
      name: ProfileDraft.text(details["name"]), exchange: ProfileDraft.text(details["primary_exchange"]),
      currency: ProfileDraft.text(details["currency_name"]), sector: nil,
      industry: ProfileDraft.text(details["sic_description"]), marketCap: ProfileDraft.amount(details["market_cap"]),
      sharesOutstanding: ProfileDraft.amount(details["share_class_shares_outstanding"])
        ?? ProfileDraft.amount(details["weighted_shares_outstanding"]),
      country: ProfileDraft.text(details["locale"])?.uppercased(), website: ProfileDraft.text(details["homepage_url"]),
      description: ProfileDraft.text(details["description"]))
    guard !draft.isEmpty else { return [symbol: .failure(.unknownSymbol(symbol))] }
    return [symbol: .success(draft.profile(for: symbol, response))]
  }
}
