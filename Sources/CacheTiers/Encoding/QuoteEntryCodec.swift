import Foundation
import MarketCore

/// The bytes a tier stores for one quote (a Redis value, an SQLite row): compact, with its
/// format version inside so an entry written by another build is refused, never misread.
///
/// Version 1, all numbers little-endian, in the frame of ``EntryEnvelope`` (version byte,
/// flags, compressed length when compressed).
///
/// The payload: a `UInt16` field mask (bits 0-5: change, change %, open, high, low, previous
/// close present; 6: volume; 7: currency; 8: simulated; 9: delayed), symbol and source as varint-length
/// UTF-8, price as IEEE-754 bits, each present optional price field in mask order, volume as
/// a zigzag varint, currency as varint-length UTF-8, then as-of and received-at as `Int64`
/// microseconds since 1970.
///
/// Any change to this layout is a new version number: entries are shared between instances
/// that may run different builds during a rollout. (Bit 9, delayed, came later within version
/// 1: a build that predates it refuses such an entry as having unknown fields, so a delayed
/// quote is never read as a live one; every other entry reads the same in both.)
public enum QuoteEntryCodec {
  public static let formatVersion: UInt8 = 1
  /// A compressed entry never inflates past this: a quote is about a hundred bytes, so
  /// anything near it is corrupt or hostile.
  public static let maximumDecompressedSize = 64 * 1024
  /// Longest source or currency text accepted; provider names and ISO codes are far shorter.
  public static let maximumTextLength = 256

  /// Bits of the field mask. Bits 0-5 are the optional price fields, in the order of
  /// ``optionalPrices(_:)``.
  private enum Field {
    static let priceFieldCount = 6
    static let volume: UInt16 = 1 << 6
    static let currency: UInt16 = 1 << 7
    static let simulated: UInt16 = 1 << 8
    static let delayed: UInt16 = 1 << 9
    static let known: UInt16 = (1 << 10) - 1
  }

  private static func optionalPrices(_ quote: Quote) -> [Double?] {
    [quote.change, quote.changePercent, quote.open, quote.high, quote.low, quote.previousClose]
  }

  /// Encodes a quote, compressing the payload only when it is at least `threshold` bytes and
  /// compression actually makes it smaller (a short payload usually grows under zlib).
  public static func encode(_ quote: Quote, compressAbove threshold: Int) -> [UInt8] {
    EntryEnvelope.seal(encodePayload(quote), version: formatVersion, compressAbove: threshold)
  }

  /// Decodes an entry, or says precisely why it cannot: never traps, whatever the bytes.
  public static func decode(_ bytes: some Collection<UInt8>) throws(EntryError) -> Quote {
    var payload = try EntryEnvelope.open(bytes, version: formatVersion, maximumDecompressedSize: maximumDecompressedSize)
    return try decodePayload(&payload)
  }

  // MARK: Payload

  private static func encodePayload(_ quote: Quote) -> [UInt8] {
    let prices = optionalPrices(quote)
    var fields: UInt16 = 0
    for (index, value) in prices.enumerated() where value != nil { fields |= 1 << UInt16(index) }
    if quote.volume != nil { fields |= Field.volume }
    if quote.currency != nil { fields |= Field.currency }
    if quote.isSimulated { fields |= Field.simulated }
    if quote.isDelayed { fields |= Field.delayed }

    var writer = EntryWriter()
    writer.littleEndian(fields)
    writer.text(quote.symbol.text)
    writer.text(quote.source.name)
    writer.double(quote.price)
    for case let value? in prices { writer.double(value) }
    if let volume = quote.volume { writer.signedVarint(volume) }
    if let currency = quote.currency { writer.text(currency) }
    writer.int64(microseconds(quote.asOf))
    writer.int64(microseconds(quote.receivedAt))
    return writer.bytes
  }

  private static func decodePayload(_ reader: inout EntryReader) throws(EntryError) -> Quote {
    let fields = try reader.littleEndian16("field mask")
    guard fields & ~Field.known == 0 else { throw .unknownFields(fields & ~Field.known) }
    let symbolText = try reader.text("symbol", maximumLength: 4 * Symbol.maximumLength)
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: symbolText)
    } catch {
      throw .invalidSymbol(error)
    }
    let source = try reader.text("source", maximumLength: maximumTextLength)
    let price = try reader.double("price")
    guard price.isFinite else { throw .nonFinitePrice }
    var prices = [Double?](repeating: nil, count: Field.priceFieldCount)
    for index in prices.indices where fields & (1 << UInt16(index)) != 0 {
      prices[index] = try reader.double("price fields")
    }
    var volume: Int64?
    if fields & Field.volume != 0 { volume = try reader.signedVarint("volume") }
    var currency: String?
    if fields & Field.currency != 0 { currency = try reader.text("currency", maximumLength: maximumTextLength) }
    let asOf = date(microseconds: try reader.int64("as-of time"))
    let receivedAt = date(microseconds: try reader.int64("received-at time"))
    guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
    return Quote(
      symbol: symbol, price: price, change: prices[0], changePercent: prices[1], open: prices[2], high: prices[3],
      low: prices[4], previousClose: prices[5], volume: volume, currency: currency, asOf: asOf, receivedAt: receivedAt,
      source: ProviderID(source), isSimulated: fields & Field.simulated != 0, isDelayed: fields & Field.delayed != 0)
  }

  // MARK: Time

  /// Microseconds since 1970, as every entry stores times.
  static func microseconds(_ date: Date) -> Int64 { EntryEnvelope.microseconds(date) }

  static func date(microseconds: Int64) -> Date { EntryEnvelope.date(microseconds: microseconds) }

  static func compress(_ payload: [UInt8]) -> [UInt8]? { EntryEnvelope.compress(payload) }
}
