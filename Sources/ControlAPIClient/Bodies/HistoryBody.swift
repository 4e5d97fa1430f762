import Foundation
import MarketCore

/// A series as `GET /v1/history/{symbol}` answers it (the JSON document form), as a client
/// reads it. Bar times are calendar dates for daily and longer bars, UTC instants otherwise.
public struct HistoryBody: Decodable, Sendable {
  public struct BarBody: Decodable, Sendable {
    public var time: String
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var adjustedClose: Double?
    public var volume: Double?

    enum CodingKeys: String, CodingKey {
      case time, open, high, low, close, volume
      case adjustedClose = "adj_close"
    }
  }

  public struct GapBody: Decodable, Sendable {
    public var after: String
    public var before: String
  }

  public var symbol: String
  public var interval: String
  public var from: Date
  public var to: Date
  public var currency: String?
  public var exchangeTimeZone: String?
  public var bars: [BarBody]
  public var gaps: [GapBody]
  public var source: String
  public var sources: [String]
  public var receivedAt: Date
  public var ageSeconds: Double
  public var stale: Bool
  public var simulated: Bool
  public var origin: String

  enum CodingKeys: String, CodingKey {
    case symbol, interval, from, to, currency, bars, gaps, source, sources, stale, simulated, origin
    case exchangeTimeZone = "exchange_time_zone"
    case receivedAt = "received_at"
    case ageSeconds = "age_seconds"
  }
}

extension HistoryBody {
  /// The series as the core would have served it. A bar that cannot be right is an error
  /// here as it is in the core: the view shows it rather than drawing nonsense.
  public func servedSeries() throws(ClientDecodingError) -> Served<HistorySeries> {
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: self.symbol)
    } catch {
      throw ClientDecodingError("history for an invalid symbol: \(error)")
    }
    guard let interval = BarInterval(rawValue: interval) else {
      throw ClientDecodingError("history of \(symbol) in an unknown interval")
    }
    var bars: [Bar] = []
    bars.reserveCapacity(self.bars.count)
    for body in self.bars {
      guard let start = Self.time(body.time) else { throw ClientDecodingError("history of \(symbol): a bar without a time") }
      let bar = Bar(
        start: start, open: body.open, high: body.high, low: body.low, close: body.close, adjustedClose: body.adjustedClose,
        volume: body.volume)
      if let problem = bar.problem { throw ClientDecodingError("history of \(symbol): \(problem)") }
      if let previous = bars.last, previous.start >= start {
        throw ClientDecodingError("history of \(symbol): bars out of order")
      }
      bars.append(bar)
    }
    let gaps = self.gaps.compactMap { gap -> HistorySeries.Gap? in
      guard let after = Self.time(gap.after), let before = Self.time(gap.before) else { return nil }
      return Self.gap(after: after, before: before)
    }
    let age = ageSeconds.isFinite ? max(0, ageSeconds) : 0
    let series = HistorySeries(
      symbol: symbol, interval: interval, from: Int64(from.timeIntervalSince1970), to: Int64(to.timeIntervalSince1970),
      currency: currency, exchangeTimeZone: exchangeTimeZone, bars: bars,
      sources: sources.isEmpty ? [ProviderID(source)] : sources.map { ProviderID($0) }, receivedAt: receivedAt,
      isSimulated: simulated, gaps: gaps)
    return Served(series, isStale: stale, age: .seconds(age), origin: ServedOrigin(rawValue: origin) ?? .upstream)
  }

  /// A gap between two bar starts. (`HistorySeries.Gap` has no public initializer, only its
  /// `Codable` form, so it is made from that.)
  static func gap(after: Int64, before: Int64) -> HistorySeries.Gap? {
    try? JSONDecoder().decode(HistorySeries.Gap.self, from: Data("{\"after\":\(after),\"before\":\(before)}".utf8))
  }

  /// `YYYY-MM-DD` (its UTC midnight) or an ISO 8601 instant, as epoch seconds.
  static func time(_ text: String) -> Int64? {
    if text.count == 10, let day = HistoryRequest.day(text) { return Int64(day.timeIntervalSince1970) }
    guard let date = try? Date(text, strategy: .iso8601) else { return nil }
    return Int64(date.timeIntervalSince1970)
  }
}

extension ProfileBody {
  /// The profile as the core would have served it.
  public func servedProfile() throws(ClientDecodingError) -> Served<Profile> {
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: self.symbol)
    } catch {
      throw ClientDecodingError("profile for an invalid symbol: \(error)")
    }
    let profile = Profile(
      symbol: symbol, name: name, exchange: exchange, currency: currency, sector: sector, industry: industry,
      marketCap: marketCap, sharesOutstanding: sharesOutstanding, country: country, website: website,
      description: description, source: ProviderID(source), receivedAt: receivedAt, isSimulated: simulated)
    let age = ageSeconds.isFinite ? max(0, ageSeconds) : 0
    return Served(profile, isStale: stale, age: .seconds(age), origin: ServedOrigin(rawValue: origin) ?? .upstream)
  }
}
