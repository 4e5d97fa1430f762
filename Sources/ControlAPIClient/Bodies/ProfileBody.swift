import Foundation
import MarketCore

/// A company profile as the API serves it, with where it came from and how old it is.
public struct ProfileBody: Codable, Sendable {
  public var symbol: String
  public var name: String?
  public var exchange: String?
  public var currency: String?
  public var sector: String?
  public var industry: String?
  public var marketCap: Double?
  public var sharesOutstanding: Double?
  public var country: String?
  public var website: String?
  public var description: String?
  public var source: String
  public var receivedAt: Date
  public var ageSeconds: Double
  public var stale: Bool
  public var simulated: Bool
  public var origin: String

  enum CodingKeys: String, CodingKey {
    case symbol, name, exchange, currency, sector, industry
    case marketCap = "market_cap"
    case sharesOutstanding = "shares_outstanding"
    case country, website, description, source
    case receivedAt = "received_at"
    case ageSeconds = "age_seconds"
    case stale, simulated, origin
  }

  public init(_ served: Served<Profile>) {
    let profile = served.value
    symbol = profile.symbol.text
    name = profile.name
    exchange = profile.exchange
    currency = profile.currency
    sector = profile.sector
    industry = profile.industry
    marketCap = profile.marketCap?.finite
    sharesOutstanding = profile.sharesOutstanding?.finite
    country = profile.country
    website = profile.website
    description = profile.description
    source = profile.source.name
    receivedAt = profile.receivedAt
    ageSeconds = max(0, served.age.seconds)
    stale = served.isStale
    simulated = profile.isSimulated
    origin = served.origin.rawValue
  }
}
