import Foundation

/// What a company (or fund, or coin) is: the facts a debate opens with. Every field but the
/// symbol and its provenance is optional: providers know different things.
public struct Profile: MarketValue, Hashable, Codable {
  public var symbol: Symbol
  public var name: String?
  public var exchange: String?
  public var currency: String?
  public var sector: String?
  public var industry: String?
  public var marketCap: Double?
  public var sharesOutstanding: Double?
  public var country: String?
  public var website: String?
  /// A few sentences at most.
  public var description: String?
  public var source: ProviderID
  public var receivedAt: Date
  public var isSimulated: Bool

  public init(
    symbol: Symbol, name: String? = nil, exchange: String? = nil, currency: String? = nil, sector: String? = nil,
    industry: String? = nil, marketCap: Double? = nil, sharesOutstanding: Double? = nil, country: String? = nil,
    website: String? = nil, description: String? = nil, source: ProviderID, receivedAt: Date, isSimulated: Bool
  ) {
    self.symbol = symbol
    self.name = name
    self.exchange = exchange
    self.currency = currency
    self.sector = sector
    self.industry = industry
    self.marketCap = marketCap
    self.sharesOutstanding = sharesOutstanding
    self.country = country
    self.website = website
    self.description = description.map { Self.brief($0) }
    self.source = source
    self.receivedAt = receivedAt
    self.isSimulated = isSimulated
  }

  /// The longest description kept: a short paragraph, cut at a sentence when one ends in time.
  public static let descriptionLimit = 600

  static func brief(_ text: String) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count > descriptionLimit else { return trimmed }
    let head = trimmed.prefix(descriptionLimit)
    if let stop = head.lastIndex(of: "."), head.distance(from: head.startIndex, to: stop) > descriptionLimit / 2 {
      return String(head[...stop])
    }
    return String(head) + "…"
  }

  public var approximateByteCount: Int {
    MemoryLayout<Profile>.stride
      + [name, exchange, currency, sector, industry, country, website, description].reduce(0) { $0 + ($1?.utf8.count ?? 0) }
  }

  /// Why this profile cannot be right, or nil.
  public var problem: String? {
    if let marketCap, !(marketCap.isFinite && marketCap >= 0) { return "market cap \(marketCap) is negative" }
    if let sharesOutstanding, !(sharesOutstanding.isFinite && sharesOutstanding >= 0) {
      return "shares outstanding \(sharesOutstanding) is negative"
    }
    if name == nil, sector == nil, industry == nil, exchange == nil, description == nil {
      return "the profile of \(symbol) from \(source) says nothing"
    }
    return nil
  }
}
