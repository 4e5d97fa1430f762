import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct NumberParsingTests {
  @Test(arguments: [
    ("112.1300", 112.13), ("-0.5852%", -0.5852), (" 42 ", 42), ("+3", 3), (".5", 0.5), ("5.", 5),
    ("1e3", 1000), ("2.5E-2", 0.025), ("0", 0),
  ])
  func acceptsPlainDecimals(text: String, expected: Double) {
    #expect(NumberParsing.decimal(text) == expected)
  }

  @Test(arguments: [
    "", "  ", "NaN", "nan", "-nan", "inf", "Infinity", "-Infinity", "0x1p3", "1e400", "-1e400", "1,234.5", "--1",
    "1e", "e5", ".", "N/A", "N/D", "12abc", "%", "1.2.3", String(repeating: "1", count: 50),
  ])
  func rejectsEverythingElse(text: String) {
    #expect(NumberParsing.decimal(text) == nil)
  }

  @Test func integers() {
    #expect(NumberParsing.integer("1698364800094626560") == 1_698_364_800_094_626_560)
    #expect(NumberParsing.integer("99999999999999999999") == nil)
    #expect(NumberParsing.integer("1.5") == nil)
    #expect(NumberParsing.exactInt64(70_790_813.0) == 70_790_813)
    #expect(NumberParsing.exactInt64(1.5) == nil)
    #expect(NumberParsing.exactInt64(0x1p63) == nil)
    #expect(NumberParsing.exactInt64(.nan) == nil)
  }
}

@Suite struct JSONValueTests {
  @Test func keepsLargeIntegersExactAndReadsNumbersFromStrings() throws {
    let value = try JSONValue(parsing: Array(#"{"t": 1673384400123456789, "p": "130.7300", "x": null, "n": -0.60}"#.utf8))
    #expect(value["t"]?.int64Value == 1_673_384_400_123_456_789)
    #expect(value["p"]?.doubleValue == 130.73)
    #expect(value["x"]?.isNull == true)
    #expect(value["x"]?.doubleValue == nil)
    #expect(value["n"]?.doubleValue == -0.6)
    #expect(value["missing"] == nil)
    #expect(value[0] == nil)
  }

  @Test(arguments: ["", "{", "[1,", "NaN", #"{"a": NaN}"#, #"{"a": 1e400}"#, "<html>", "\u{0}"])
  func rejectsInvalidJSON(text: String) {
    #expect(throws: (any Error).self) { try JSONValue(parsing: Array(text.utf8)) }
  }

  @Test func deepNestingFailsWithoutCrashing() {
    let body = Array(String(repeating: "[", count: 100_000).utf8)
    #expect(throws: (any Error).self) { try JSONValue(parsing: body) }
  }
}

@Suite struct MarketTimeTests {
  @Test func isoVariants() {
    let utcZone = MarketTime.utc
    #expect(MarketTime.date(iso8601: "2025-09-22T20:00:01", assumedZone: utcZone) == utc("2025-09-22T20:00:01Z"))
    #expect(MarketTime.date(iso8601: "2025-09-22 20:00:01", assumedZone: utcZone) == utc("2025-09-22T20:00:01Z"))
    #expect(MarketTime.date(iso8601: "2025-09-22T20:00:01Z", assumedZone: utcZone) == utc("2025-09-22T20:00:01Z"))
    #expect(MarketTime.date(iso8601: "2025-09-22T16:00:01-04:00", assumedZone: utcZone) == utc("2025-09-22T20:00:01Z"))
    #expect(MarketTime.date(iso8601: "2024-01-31T10:59:00.000+0000", assumedZone: utcZone) == utc("2024-01-31T10:59:00Z"))
    let fractional = MarketTime.date(iso8601: "2026-11-29T00:55:22.488118", assumedZone: utcZone)
    #expect(abs((fractional?.timeIntervalSince1970 ?? 0) - utc("2026-11-29T00:55:22Z").timeIntervalSince1970 - 0.488118) < 1e-6)
    #expect(MarketTime.date(iso8601: "2018-10-05", assumedZone: utcZone) == utc("2018-10-05T00:00:00Z"))
  }

  @Test(arguments: [
    "2025-02-30T00:00:00", "2025-13-01T00:00:00", "2025-01-01T24:00:00", "2025-01-01X00:00:00", "20250101",
    "2025-01-01T00:00:00+99:00", "N/D", "",
  ])
  func rejectsImpossibleTimes(text: String) {
    #expect(MarketTime.date(iso8601: text, assumedZone: MarketTime.utc) == nil)
  }

  @Test func epochUnits() {
    #expect(MarketTime.date(epochSeconds: 1_739_912_400) == utc("2025-02-18T21:00:00Z"))
    #expect(MarketTime.date(epochMilliseconds: 1_673_298_000_000) == utc("2023-01-09T21:00:00Z"))
    // Milliseconds read as seconds would land beyond year 2200: refused.
    #expect(MarketTime.date(epochSeconds: 1_673_298_000_000) == nil)
    #expect(MarketTime.date(epochSeconds: 0) == nil)
  }
}

@Suite struct QuoteDraftTests {
  let received = utc("2025-01-01T00:00:00Z")

  func normalize(_ draft: QuoteDraft, decimals: Int = 4) -> Result<Quote, ProviderError> {
    draft.normalized(symbol: Symbol("AAPL"), decimals: decimals, receivedAt: received, source: "test")
  }

  @Test func roundsAwayFloatNoiseAndDerivesChange() throws {
    let quote = try normalize(QuoteDraft(price: 244.47000122070312, previousClose: 244.6)).get()
    #expect(quote.price == 244.47)
    #expect(quote.change == -0.13)
    #expect(quote.changePercent == -0.0531)
    #expect(quote.asOf == received)
    #expect(!quote.isSimulated)
  }

  @Test(arguments: [0, -1, Double.nan, .infinity, -.infinity, 1e300])
  func impossiblePricesAreMalformed(price: Double) {
    #expect(isMalformed(failure(normalize(QuoteDraft(price: price)))))
  }

  @Test func missingPriceIsMalformed() {
    #expect(isMalformed(failure(normalize(QuoteDraft(previousClose: 10)))))
  }

  @Test func negativeAuxiliaryPriceIsMalformedButZeroMeansAbsent() throws {
    #expect(isMalformed(failure(normalize(QuoteDraft(price: 10, low: -1)))))
    let quote = try normalize(QuoteDraft(price: 10, open: 0, previousClose: 0)).get()
    #expect(quote.open == nil)
    #expect(quote.change == nil)
  }

  @Test func asOfFarInTheFutureIsAUnitMixUp() {
    let future = received.addingTimeInterval(3 * 86_400)
    #expect(isMalformed(failure(normalize(QuoteDraft(price: 10, asOf: .at(future))))))
  }

  @Test func implausibleExtrasAreDropped() throws {
    let quote = try normalize(
      QuoteDraft(price: 10, changePercent: 1e12, volume: -5, currency: "<script>")
    ).get()
    #expect(quote.changePercent == nil)
    #expect(quote.volume == nil)
    #expect(quote.currency == nil)
    #expect(try normalize(QuoteDraft(price: 10, volume: 1e30)).get().volume == nil)
  }

  // MARK: Fields that disagree

  func repaired(_ draft: QuoteDraft) throws -> NormalizedQuote {
    try draft.normalizedWithRepairs(symbol: Symbol("AAPL"), decimals: 4, receivedAt: received, source: "test").get()
  }

  @Test func agreeingFieldsAreKeptAsSent() throws {
    // FMP's recorded AAPL: 256.08 against 245.5 is +10.58, +4.30957 %.
    let normalized = try repaired(QuoteDraft(price: 256.08, change: 10.58, changePercent: 4.30957, previousClose: 245.5))
    #expect(normalized.repairs.isEmpty)
    #expect(normalized.quote.change == 10.58)
    #expect(normalized.quote.changePercent == 4.3096)
    // A price and a change taken a moment apart differ a little: that is not a disagreement.
    let moment = try repaired(QuoteDraft(price: 256.12, change: 10.58, changePercent: 4.31, previousClose: 245.5))
    #expect(moment.repairs.isEmpty)
    #expect(moment.quote.change == 10.58)
  }

  @Test func aStaleChangeIsRecomputedFromPriceAndPreviousClose() throws {
    let normalized = try repaired(QuoteDraft(price: 256.08, change: 5, changePercent: 2.0367, previousClose: 245.5))
    #expect(normalized.quote.change == 10.58)
    #expect(normalized.quote.changePercent == 4.3096)
    #expect(
      normalized.repairs == [
        .changeRecomputed(reported: 5, recomputed: 10.58), .changePercentRecomputed(reported: 2.0367, recomputed: 4.3096),
      ])
    #expect(normalized.repairs.map(\.field) == ["change", "change_percent"])
    #expect("\(normalized.repairs[0])".contains("recomputed as 10.58"))
  }

  @Test func aSignSlipAndAFractionSentAsPercentAreRepaired() throws {
    let sign = try repaired(QuoteDraft(price: 256.08, change: -10.58, changePercent: 4.30957, previousClose: 245.5))
    #expect(sign.quote.change == 10.58)
    #expect(sign.repairs == [.changeRecomputed(reported: -10.58, recomputed: 10.58)])
    let fraction = try repaired(QuoteDraft(price: 256.08, change: 10.58, changePercent: 0.0430957, previousClose: 245.5))
    #expect(fraction.quote.changePercent == 4.3096)
    #expect(fraction.repairs == [.changePercentRecomputed(reported: 0.0431, recomputed: 4.3096)])
  }

  @Test func withoutAPreviousCloseNothingCanBeCheckedOrRepaired() throws {
    let normalized = try repaired(QuoteDraft(price: 256.08, change: 5, changePercent: 40))
    #expect(normalized.repairs.isEmpty)
    #expect(normalized.quote.change == 5)
    #expect(normalized.quote.changePercent == 40)
  }

  @Test func theQuoteAloneIsTheSameWhicheverWayItIsAsked() throws {
    let draft = QuoteDraft(price: 256.08, change: 5, previousClose: 245.5)
    #expect(try normalize(draft).get() == (try repaired(draft).quote))
  }

  @Test func float32ValuesKeepSevenSignificantDigits() {
    #expect(PricePrecision.fromFloat32(244.14999389648438) == 244.15)
    #expect(PricePrecision.fromFloat32(98_123.4765625) == 98_123.48)
    #expect(PricePrecision.fromFloat32(0.000012339999) == 0.00001234)
  }
}

@Suite struct ExcerptTests {
  @Test func excerptIsShortPrintableAndScrubbed() {
    let body = Array(
      "{\"error\": \"bad key SECRET-XYZ-123\", \"url\": \"/q?apikey=OTHER-KEY-456&x=1\", \u{1}\u{7F}é\"pad\": \"\(String(repeating: "x", count: 500))\"}"
        .utf8)
    let excerpt = ResponseTriage.excerpt(of: body, redacting: [Secret("SECRET-XYZ-123")])
    #expect(!excerpt.contains("SECRET-XYZ-123"))
    #expect(!excerpt.contains("OTHER-KEY-456"))
    #expect(excerpt.contains("<redacted>"))
    #expect(excerpt.count <= ResponseTriage.excerptLength + 1)
    #expect(excerpt.unicodeScalars.allSatisfy { ($0.isASCII && $0.value >= 0x20 && $0.value < 0x7F) || $0 == "…" })
  }

  @Test func keyCutByTheWindowDoesNotSurface() {
    let body = Array((String(repeating: "a", count: 1020) + "SECRET-XYZ-123").utf8)
    let excerpt = ResponseTriage.excerpt(of: body, redacting: [Secret("SECRET-XYZ-123")])
    #expect(!excerpt.contains("SECRET"))
  }
}
