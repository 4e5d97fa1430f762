import Foundation
import MarketCore

/// The fields an adapter read from one profile body, before they become a ``Profile``.
///
/// Providers say "nothing here" in many ways (Alpha Vantage's `"None"`, FMP's `""`, a `-`,
/// a market cap of 0); ``text(_:)`` and ``amount(_:)`` read them all as absent, so a profile
/// carries only what the provider actually knows.
struct ProfileDraft {
  var name: String?
  var exchange: String?
  var currency: String?
  var sector: String?
  var industry: String?
  var marketCap: Double?
  var sharesOutstanding: Double?
  var country: String?
  var website: String?
  var description: String?

  /// Whether the provider said anything that identifies the company.
  var isEmpty: Bool { name == nil && sector == nil && industry == nil && exchange == nil && description == nil }

  func profile(for symbol: Symbol, _ response: HTTPResponseSnapshot) -> Profile {
    Profile(
      symbol: symbol, name: name, exchange: exchange, currency: Self.currencyCode(currency), sector: sector,
      industry: industry, marketCap: marketCap, sharesOutstanding: sharesOutstanding, country: country,
      website: website, description: description, source: response.source, receivedAt: response.receivedAt,
      isSimulated: false)
  }

  private static let absentWords: Set<String> = ["", "none", "null", "n/a", "na", "-", "--", "nan"]

  /// Trimmed text, or nil for a missing, empty or placeholder value (`None`, `N/A`, `-`).
  static func text(_ value: JSONValue?) -> String? {
    guard let text = value?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
      !absentWords.contains(text.lowercased()), text.count <= 20_000
    else { return nil }
    return text
  }

  /// A positive amount from a number, a numeric string or Yahoo's `{"raw": …}`; zero and
  /// placeholders are "not known", not a company worth nothing.
  static func amount(_ value: JSONValue?, scale: Double = 1) -> Double? {
    guard let number = value?.doubleValue ?? value?["raw"]?.doubleValue, number.isFinite, number != 0 else {
      return nil
    }
    return number * scale
  }

  /// An ISO-4217-like code (`USD`), upper-cased; anything else is dropped.
  private static func currencyCode(_ text: String?) -> String? {
    guard let text, (3...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
    return text.uppercased()
  }
}
