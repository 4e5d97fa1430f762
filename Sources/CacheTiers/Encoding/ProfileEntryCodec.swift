import Foundation
import MarketCore

/// The bytes a tier stores for one company profile (a Redis value, an SQLite row): versioned
/// like the others, refused rather than misread.
///
/// Version 1, all numbers little-endian, in the frame of ``EntryEnvelope``. The payload: a
/// `UInt16` field mask (bits 0-7: name, exchange, currency, sector, industry, country,
/// website, description present; 8: market cap; 9: shares outstanding; 10: simulated), symbol
/// and source as varint-length UTF-8, received-at as `Int64` microseconds since 1970, each
/// present text in mask order as varint-length UTF-8, then the present numbers as IEEE-754
/// doubles. Descriptions (a few hundred bytes) make most profiles worth compressing.
public enum ProfileEntryCodec {
  public static let formatVersion: UInt8 = 1
  /// A profile is at most a few kilobytes.
  public static let maximumDecompressedSize = 64 * 1024
  /// Longest text field accepted; a description is cut to ``Profile/descriptionLimit``
  /// characters, at most four bytes each.
  public static let maximumTextLength = 4 * (Profile.descriptionLimit + 1)

  private enum Field {
    static let textCount = 8
    static let marketCap: UInt16 = 1 << 8
    static let sharesOutstanding: UInt16 = 1 << 9
    static let simulated: UInt16 = 1 << 10
    static let known: UInt16 = (1 << 11) - 1
  }

  private static let textNames = [
    "name", "exchange", "currency", "sector", "industry", "country", "website", "description",
  ]

  private static func texts(_ profile: Profile) -> [String?] {
    [
      profile.name, profile.exchange, profile.currency, profile.sector, profile.industry, profile.country, profile.website,
      profile.description,
    ]
  }

  public static func encode(_ profile: Profile, compressAbove threshold: Int) -> [UInt8] {
    let texts = texts(profile)
    var fields: UInt16 = 0
    for (index, text) in texts.enumerated() where text != nil { fields |= 1 << UInt16(index) }
    if profile.marketCap != nil { fields |= Field.marketCap }
    if profile.sharesOutstanding != nil { fields |= Field.sharesOutstanding }
    if profile.isSimulated { fields |= Field.simulated }
    var writer = EntryWriter(capacity: 256)
    writer.littleEndian(fields)
    writer.text(profile.symbol.text)
    writer.text(profile.source.name)
    writer.int64(EntryEnvelope.microseconds(profile.receivedAt))
    for case let text? in texts { writer.text(text) }
    if let marketCap = profile.marketCap { writer.double(marketCap) }
    if let shares = profile.sharesOutstanding { writer.double(shares) }
    return EntryEnvelope.seal(writer.bytes, version: formatVersion, compressAbove: threshold)
  }

  /// Decodes an entry, or says precisely why it cannot: never traps, whatever the bytes.
  public static func decode(_ bytes: some Collection<UInt8>) throws(EntryError) -> Profile {
    var reader = try EntryEnvelope.open(bytes, version: formatVersion, maximumDecompressedSize: maximumDecompressedSize)
    let fields = try reader.littleEndian16("field mask")
    guard fields & ~Field.known == 0 else { throw .unknownFields(fields & ~Field.known) }
    let symbolText = try reader.text("symbol", maximumLength: 4 * Symbol.maximumLength)
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: symbolText)
    } catch {
      throw .invalidSymbol(error)
    }
    let source = try reader.text("source", maximumLength: QuoteEntryCodec.maximumTextLength)
    let receivedAt = EntryEnvelope.date(microseconds: try reader.int64("received-at time"))
    var texts = [String?](repeating: nil, count: Field.textCount)
    for index in texts.indices where fields & (1 << UInt16(index)) != 0 {
      texts[index] = try reader.text(textNames[index], maximumLength: maximumTextLength)
    }
    var marketCap: Double?
    if fields & Field.marketCap != 0 { marketCap = try finite(&reader, "market cap") }
    var shares: Double?
    if fields & Field.sharesOutstanding != 0 { shares = try finite(&reader, "shares outstanding") }
    guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
    return Profile(
      symbol: symbol, name: texts[0], exchange: texts[1], currency: texts[2], sector: texts[3], industry: texts[4],
      marketCap: marketCap, sharesOutstanding: shares, country: texts[5], website: texts[6], description: texts[7],
      source: ProviderID(source), receivedAt: receivedAt, isSimulated: fields & Field.simulated != 0)
  }

  private static func finite(_ reader: inout EntryReader, _ field: String) throws(EntryError) -> Double {
    let value = try reader.double(field)
    guard value.isFinite else { throw .nonFiniteNumber(field: field) }
    return value
  }
}
