import Foundation
import MarketCore

/// OpenBB's company profiles: `GET /api/v1/equity/profile?symbol=A,B&provider=BACKEND`,
/// batched like quotes.
///
/// `results` rows of the standard EquityInfo model: `symbol`, `name`, `stock_exchange`,
/// `sector`, `industry_category`, `hq_country`, `company_url`, `long_description` and
/// `short_description`; backends add `currency`, `market_cap` and `shares_outstanding`
/// (yfinance, fmp). A symbol without a row is explained by a warning or is unknown, as for
/// quotes; no row at all is a bare 204.
extension OpenBBAdapter: HTTPProfileAdapter {
  public var profileBatchSize: Int { capabilities.maximumBatchSize }

  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let batch = try profileBatch(symbols)
    return HTTPRequestSpec(
      origin: origin, path: "/api/v1/equity/profile",
      queryItems: [
        HTTPQueryItem(name: "symbol", value: batch.map(\.providerSymbol).joined(separator: ",")),
        HTTPQueryItem(name: "provider", value: backend),
      ],
      headers: requestHeaders, symbols: symbols)
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    if response.status == 204 { return response.failingEveryProfile { .unknownSymbol($0) } }
    guard response.isSuccess else {
      switch failureMeaning(response) {
      case .failure(let error): throw error
      case .success(let meaning):
        if let error = meaning.requestError { throw error }
        return response.failingEveryProfile { meaning.error(for: $0) }
      }
    }
    let document = try ResponseTriage.json(response, redacting: secrets)
    guard let results = document["results"], let rows = results.arrayValue ?? (results.isNull ? [] : nil) else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    let requested = requestedSymbols(of: response)
    var profiles: [Symbol: Result<Profile, ProviderError>] = [:]
    for row in rows {
      guard let echoed = row["symbol"]?.stringValue, let symbol = requested[echoed.uppercased()] else { continue }
      let draft = ProfileDraft(
        name: ProfileDraft.text(row["name"]), exchange: ProfileDraft.text(row["stock_exchange"]),
        currency: ProfileDraft.text(row["currency"]), sector: ProfileDraft.text(row["sector"]),
        industry: ProfileDraft.text(row["industry_category"]), marketCap: ProfileDraft.amount(row["market_cap"]),
        sharesOutstanding: ProfileDraft.amount(row["shares_outstanding"]),
        country: ProfileDraft.text(row["hq_country"]), website: ProfileDraft.text(row["company_url"]),
        description: ProfileDraft.text(row["long_description"]) ?? ProfileDraft.text(row["short_description"]))
      guard !draft.isEmpty else {
        profiles[symbol] = .failure(.unknownSymbol(symbol))
        continue
      }
      var profile = draft.profile(for: symbol, response)
      // `lianyaohu simulate` marks its made-up companies; OpenBB itself has no such field.
      profile.isSimulated = row["simulated"] == .bool(true) || document["extra"]?["simulated"] == .bool(true)
      profiles[symbol] = .success(profile)
    }
    let warnings = (document["warnings"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue ?? $0.stringValue }
    for symbol in response.symbols where profiles[symbol] == nil {
      profiles[symbol] = .failure(missingSymbolError(symbol, warnings: warnings, response))
    }
    return profiles
  }
}
