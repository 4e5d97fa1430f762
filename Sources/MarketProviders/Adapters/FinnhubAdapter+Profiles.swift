import Foundation
import MarketCore

/// Finnhub's company profile: `GET /api/v1/stock/profile2?symbol=…` (the free "Company
/// Profile 2"), token in `X-Finnhub-Token`, US listings, one symbol a call.
///
/// A flat object: `name`, `exchange` (`NASDAQ NMS - GLOBAL MARKET`), `currency`, `country`,
/// `finnhubIndustry` (Finnhub's own coarse industry, kept as the industry), `weburl`, `ipo`, `logo`, and
/// `marketCapitalization` and `shareOutstanding` in MILLIONS (3149828.207397 is $3.15
/// trillion), converted here. A symbol it does not know is `{}`. Failures are the quote
/// path's (`{"error": …}`, plain-text 429s).
extension FinnhubAdapter: HTTPProfileAdapter {
  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (symbol, providerSymbol) = try profileBatch(symbols)[0]
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/stock/profile2", queryItems: [HTTPQueryItem(name: "symbol", value: providerSymbol)],
      headers: [
        HTTPHeader(name: "Accept", value: "application/json"),
        HTTPHeader(name: "X-Finnhub-Token", value: token.revealedValue, isSensitive: true),
      ],
      symbols: [symbol])
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: [token])
    } catch {
      // The 429 (also what a missing token gets) is plain text.
      guard !response.isSuccess else { throw error }
      let meaning = ResponseTriage.meaningOfText(response)
      return [symbol: .failure(try ResponseTriage.perSymbolFailure(meaning, response, about: symbol, redacting: [token]))]
    }
    if let message = document["error"]?.stringValue {
      let meaning = ResponseTriage.meaning(of: message, response)
      return [symbol: .failure(try ResponseTriage.perSymbolFailure(meaning, response, about: symbol, redacting: [token]))]
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    // `{}` is a symbol Finnhub does not know; an object that is neither that nor a profile
    // (no `ticker`, nothing that names a company) is not its answer.
    guard let fields = document.objectValue else { throw ResponseTriage.malformed(response.body, redacting: [token]) }
    if fields.isEmpty { return [symbol: .failure(.unknownSymbol(symbol))] }
    let million = 1_000_000.0
    let draft = ProfileDraft(
      name: ProfileDraft.text(fields["name"]), exchange: ProfileDraft.text(fields["exchange"]),
      currency: ProfileDraft.text(fields["currency"]), industry: ProfileDraft.text(fields["finnhubIndustry"]),
      marketCap: ProfileDraft.amount(fields["marketCapitalization"], scale: million),
      sharesOutstanding: ProfileDraft.amount(fields["shareOutstanding"], scale: million),
      country: ProfileDraft.text(fields["country"]), website: ProfileDraft.text(fields["weburl"]))
    guard !draft.isEmpty else {
      guard fields["ticker"] != nil else { throw ResponseTriage.malformed(response.body, redacting: [token]) }
      return [symbol: .failure(.unknownSymbol(symbol))]
    }
    return [symbol: .success(draft.profile(for: symbol, response))]
  }
}
