import Foundation
import MarketCore

/// FMP's company profile: `GET /stable/profile?symbol=…` (one symbol), or the legacy
/// `GET /api/v3/profile/A,B` (batched).
///
/// An array of one object per symbol: `companyName`, `exchange` (`NASDAQ`; v3 has the short
/// form in `exchangeShortName`), `currency`, `sector`, `industry`, `country`, `website`,
/// `description`, and the market cap as `marketCap` (`mktCap` on v3); no share count. Empty
/// strings mean "not known". A symbol without a row is unknown (`[]`).
extension FinancialModelingPrepAdapter: HTTPProfileAdapter {
  public var profileBatchSize: Int { capabilities.maximumBatchSize }

  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try profileBatch(symbols)
    let key = HTTPQueryItem(name: "apikey", value: apiKey.revealedValue, isSensitive: true)
    let accept = [HTTPHeader(name: "Accept", value: "application/json")]
    switch endpoint {
    case .stable:
      return HTTPRequestSpec(
        origin: origin, path: "/stable/profile",
        queryItems: [HTTPQueryItem(name: "symbol", value: batch[0].providerSymbol), key], headers: accept,
        symbols: symbols)
    case .legacyV3:
      let list = batch.map(\.providerSymbol).joined(separator: ",")
      return HTTPRequestSpec(
        origin: origin, path: "/api/v3/profile/" + HTTPRequestSpec.encodePathSegment(list), queryItems: [key],
        headers: accept, symbols: symbols)
    }
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    guard let first = response.symbols.first else { return [:] }
    let document = try document(of: response, limit: ResponseTriage.maximumBodyBytes, about: first)
    if let meaning = failureMeaning(in: document, response) {
      switch meaning {
      case .success(let meaning):
        if let error = meaning.requestError { throw error }
        return response.failingEveryProfile { meaning.error(for: $0) }
      case .failure(let error): throw error
      }
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let rows = document.arrayValue else { throw ResponseTriage.malformed(response.body, redacting: [apiKey]) }
    let requested = requestedSymbols(of: response)
    var profiles: [Symbol: Result<Profile, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      let draft = ProfileDraft(
        name: ProfileDraft.text(row["companyName"]),
        exchange: ProfileDraft.text(row["exchangeShortName"]) ?? ProfileDraft.text(row["exchange"]),
        currency: ProfileDraft.text(row["currency"]), sector: ProfileDraft.text(row["sector"]),
        industry: ProfileDraft.text(row["industry"]), marketCap: ProfileDraft.amount(row["marketCap"] ?? row["mktCap"]),
        country: ProfileDraft.text(row["country"]), website: ProfileDraft.text(row["website"]),
        description: ProfileDraft.text(row["description"]))
      profiles[symbol] = draft.isEmpty ? .failure(.unknownSymbol(symbol)) : .success(draft.profile(for: symbol, response))
    }
    for symbol in response.symbols where profiles[symbol] == nil { profiles[symbol] = .failure(.unknownSymbol(symbol)) }
    return profiles
  }
}
