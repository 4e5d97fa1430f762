import Foundation
import MarketCore

/// Yahoo's company profile: `GET /v10/finance/quoteSummary/{SYMBOL}` on the query2 host with
/// `modules=assetProfile,quoteType,summaryDetail,defaultKeyStatistics&formatted=false`, one
/// symbol a call. quoteSummary refuses requests without a crumb and its cookie, so only an
/// adapter with a ``Session`` serves profiles; without one it serves none and the router never
/// asks.
///
/// `assetProfile` holds sector, industry, country, website and `longBusinessSummary`;
/// `quoteType` the names, the exchange code (`NMS`) and the zone; `summaryDetail` the currency
/// and market cap; `defaultKeyStatistics` the shares outstanding. With `formatted=true`
/// numbers come as `{"raw": …, "fmt": …}`, read too. An unknown symbol is
/// `quoteSummary.error` `{"code": "Not Found", "description": "Quote not found for symbol: …"}`
/// (404); a stale crumb `{"code": "Unauthorized", "description": "Invalid Crumb"}` (401).
extension YahooFinanceAdapter: HTTPProfileAdapter {
  public func servesProfile(of symbol: Symbol) -> Bool { session != nil && canServe(symbol) }

  static let profileModules = "assetProfile,quoteType,summaryDetail,defaultKeyStatistics"

  public func makeProfileRequest(for symbols: [Symbol]) throws(ProviderError) -> HTTPRequestSpec {
    let (symbol, providerSymbol) = try profileBatch(symbols)[0]
    guard let session else { throw .unsupportedSymbol(symbol) }
    return HTTPRequestSpec(
      origin: chartOrigin, path: "/v10/finance/quoteSummary/" + HTTPRequestSpec.encodePathSegment(providerSymbol),
      queryItems: [
        HTTPQueryItem(name: "modules", value: Self.profileModules), HTTPQueryItem(name: "formatted", value: "false"),
        HTTPQueryItem(name: "crumb", value: session.crumb.revealedValue, isSensitive: true),
      ],
      headers: [
        HTTPHeader(name: "Accept", value: "application/json"),
        HTTPHeader(name: "Cookie", value: session.cookie.revealedValue, isSensitive: true),
      ],
      symbols: [symbol])
  }

  public func parseProfiles(_ response: HTTPResponseSnapshot) throws(ProviderError) -> [Symbol: Result<Profile, ProviderError>] {
    guard let symbol = response.symbols.first else { return [:] }
    let secrets = session.map { [$0.crumb, $0.cookie] } ?? []
    let document: JSONValue
    do {
      document = try ResponseTriage.json(response, redacting: secrets)
    } catch {
      guard !response.isSuccess else { throw error }
      let meaning = ResponseTriage.meaningOfText(response)
      return [symbol: .failure(try ResponseTriage.perSymbolFailure(meaning, response, about: symbol, redacting: secrets))]
    }
    let envelopes = [document["finance"]?["error"], document["quoteSummary"]?["error"]]
    if let error = envelopes.compactMap({ $0 }).first(where: { !$0.isNull }) {
      if error["code"]?.stringValue == "Not Found" { return [symbol: .failure(.unknownSymbol(symbol))] }
      let words = [error["code"]?.stringValue, error["description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
      let meaning = ResponseTriage.meaning(of: words, response)
      return [symbol: .failure(try ResponseTriage.perSymbolFailure(meaning, response, about: symbol, redacting: secrets))]
    }
    if let statusError = ResponseTriage.statusError(for: response) { throw statusError }
    guard let results = document["quoteSummary"]?["result"] else {
      throw ResponseTriage.malformed(response.body, redacting: secrets)
    }
    guard let summary = results[0], summary.objectValue != nil else { return [symbol: .failure(.unknownSymbol(symbol))] }
    let asset = summary["assetProfile"]
    let type = summary["quoteType"]
    let detail = summary["summaryDetail"]
    let draft = ProfileDraft(
      name: ProfileDraft.text(type?["longName"]) ?? ProfileDraft.text(type?["shortName"]),
      exchange: ProfileDraft.text(type?["exchange"]), currency: ProfileDraft.text(detail?["currency"]),
      sector: ProfileDraft.text(asset?["sector"]), industry: ProfileDraft.text(asset?["industry"]),
      marketCap: ProfileDraft.amount(detail?["marketCap"]),
      sharesOutstanding: ProfileDraft.amount(summary["defaultKeyStatistics"]?["sharesOutstanding"]),
      country: ProfileDraft.text(asset?["country"]), website: ProfileDraft.text(asset?["website"]),
      description: ProfileDraft.text(asset?["longBusinessSummary"]))
    guard !draft.isEmpty else { return [symbol: .failure(.unknownSymbol(symbol))] }
    return [symbol: .success(draft.profile(for: symbol, response))]
  }
}
