import Foundation
import MarketCore

/// The time zone a listing trades in, for providers that send times without one (OpenBB's
/// naive intraday times from FMP, in New York wall time) or instants whose calendar date is
/// the exchange's (Polygon's daily bars start at midnight New York time).
///
/// By Yahoo's suffix; no suffix is a US listing (New York), an index by its name; crypto and
/// forex trade around the clock and are dated in UTC, as their providers date them.
enum ExchangeZone {
  static func identifier(for symbol: Symbol) -> String {
    switch symbol.assetClass {
    case .crypto, .forex: return "UTC"
    case .index: return symbol.indexName.flatMap { indexZones[String($0)] } ?? newYork
    case .equity, .future:
      guard let suffix = symbol.exchangeSuffix else { return newYork }
      return suffixZones[String(suffix)] ?? newYork
    }
  }

  static func zone(for symbol: Symbol) -> TimeZone {
    TimeZone(identifier: identifier(for: symbol)) ?? MarketTime.utc
  }

  private static let newYork = "America/New_York"

  /// Yahoo's exchange suffixes and the zone each exchange keeps.
  private static let suffixZones: [String: String] = [
    "L": "Europe/London", "IL": "Europe/London", "TO": "America/Toronto", "V": "America/Toronto",
    "DE": "Europe/Berlin", "F": "Europe/Berlin", "PA": "Europe/Paris", "AS": "Europe/Amsterdam",
    "BR": "Europe/Brussels", "LS": "Europe/Lisbon", "MI": "Europe/Rome", "MC": "Europe/Madrid",
    "SW": "Europe/Zurich", "VI": "Europe/Vienna", "ST": "Europe/Stockholm", "OL": "Europe/Oslo",
    "CO": "Europe/Copenhagen", "HE": "Europe/Helsinki", "IR": "Europe/Dublin", "HK": "Asia/Hong_Kong",
    "SS": "Asia/Shanghai", "SZ": "Asia/Shanghai", "T": "Asia/Tokyo", "KS": "Asia/Seoul", "KQ": "Asia/Seoul",
    "TW": "Asia/Taipei", "SI": "Asia/Singapore", "BO": "Asia/Kolkata", "NS": "Asia/Kolkata", "JK": "Asia/Jakarta",
    "AX": "Australia/Sydney", "NZ": "Pacific/Auckland", "SA": "America/Sao_Paulo", "MX": "America/Mexico_City",
  ]

  /// Indices that are not New York's, by Yahoo's name.
  private static let indexZones: [String: String] = [
    "N225": "Asia/Tokyo", "HSI": "Asia/Hong_Kong", "FTSE": "Europe/London", "GDAXI": "Europe/Berlin",
    "FCHI": "Europe/Paris", "STOXX50E": "Europe/Berlin", "AXJO": "Australia/Sydney", "KS11": "Asia/Seoul",
    "BSESN": "Asia/Kolkata", "NSEI": "Asia/Kolkata", "GSPTSE": "America/Toronto", "SSEC": "Asia/Shanghai",
  ]
}
