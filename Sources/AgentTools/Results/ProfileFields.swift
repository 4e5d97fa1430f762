import MCP
import MarketCore

/// A profile as `get_profile` answers it: the control API's profile body (same snake_case
/// names), every fact `null` when no provider knows it, with `source`, `received_at`,
/// `age_seconds`, `stale`, `simulated` and `origin`.
enum ProfileFields {
  static func value(_ served: Served<Profile>) -> Value {
    let profile = served.value
    return .object([
      "symbol": .string(profile.symbol.text),
      "name": optional(profile.name),
      "exchange": optional(profile.exchange),
      "currency": optional(profile.currency),
      "sector": optional(profile.sector),
      "industry": optional(profile.industry),
      "market_cap": number(profile.marketCap),
      "shares_outstanding": number(profile.sharesOutstanding),
      "country": optional(profile.country),
      "website": optional(profile.website),
      "description": optional(profile.description),
      "source": .string(profile.source.name),
      "received_at": .string(Timestamp.iso8601(profile.receivedAt)),
      "age_seconds": .double(max(0, served.age.seconds)),
      "stale": .bool(served.isStale),
      "simulated": .bool(profile.isSimulated),
      "origin": .string(served.origin.rawValue),
    ])
  }

  private static func optional(_ value: String?) -> Value { value.map { .string($0) } ?? .null }

  private static func number(_ value: Double?) -> Value {
    guard let value, value.isFinite else { return .null }
    return .double(value)
  }

  static let schema: Value = JSONSchema.object(
    [
      "symbol": JSONSchema.string("Canonical symbol (Yahoo style: BRK-B, BTC-USD, ^VIX)."),
      "name": JSONSchema.string(nullable: true),
      "exchange": JSONSchema.string(nullable: true),
      "currency": JSONSchema.string("The currency the listing trades in.", nullable: true),
      "sector": JSONSchema.string(nullable: true),
      "industry": JSONSchema.string(nullable: true),
      "market_cap": JSONSchema.number("In the listing's currency.", minimum: 0, nullable: true),
      "shares_outstanding": JSONSchema.number(minimum: 0, nullable: true),
      "country": JSONSchema.string(nullable: true),
      "website": JSONSchema.string(nullable: true),
      "description": JSONSchema.string("A few sentences at most.", nullable: true),
      "source": JSONSchema.string("The provider that supplied the profile."),
      "received_at": JSONSchema.string("When this server received it (ISO 8601, UTC)."),
      "age_seconds": JSONSchema.number("Seconds since this server received it; profiles are kept a day.", minimum: 0),
      "stale": JSONSchema.boolean("Past its time to live: treat as old."),
      "simulated": JSONSchema.boolean("From the simulated market: never a real company's facts."),
      "origin": JSONSchema.string(
        "Where the server found it.", oneOf: ["memory", "upstream", "sharedTier", "lastKnown"]),
    ],
    required: [
      "symbol", "name", "exchange", "currency", "sector", "industry", "market_cap", "shares_outstanding", "country",
      "website", "description", "source", "received_at", "age_seconds", "stale", "simulated", "origin",
    ])

  /// A line for people (`NVDA NVIDIA Corporation · Technology, Semiconductors · NASDAQ · USD ·
  /// market cap 4.32 T · sim-alpha · 0.0 s old · SIMULATED`), then the description.
  static func text(_ served: Served<Profile>) -> String {
    let profile = served.value
    var parts = [[profile.symbol.text, profile.name].compactMap { $0 }.joined(separator: " ")]
    let kind = [profile.sector, profile.industry].compactMap { $0 }
    if !kind.isEmpty { parts.append(kind.joined(separator: ", ")) }
    if let exchange = profile.exchange { parts.append(exchange) }
    if let currency = profile.currency { parts.append(currency) }
    if let cap = profile.marketCap, cap.isFinite { parts.append("market cap \(magnitude(cap))") }
    parts.append(profile.source.name)
    parts.append("\(QuoteFields.decimal(max(0, served.age.seconds), places: 1)) s old")
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if profile.isSimulated { marks.append("SIMULATED") }
    if !marks.isEmpty { parts.append(marks.joined(separator: " ")) }
    let heading = parts.joined(separator: " · ")
    guard let description = profile.description, !description.isEmpty else { return heading }
    return heading + "\n" + description
  }

  /// `4.32 T`, `812.5 B`, `95.1 M`: a market cap at a glance.
  static func magnitude(_ value: Double) -> String {
    for (scale, unit) in [(1e12, "T"), (1e9, "B"), (1e6, "M")] where abs(value) >= scale {
      return "\(QuoteFields.decimal(value / scale)) \(unit)"
    }
    return QuoteFields.decimal(value, places: 0)
  }
}
