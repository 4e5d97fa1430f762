import CompressNIO
import Foundation
import MarketCore
import NIOCore

/// The bytes a tier stores for one quote (a Redis value, an SQLite row): compact, with its
/// format version inside so an entry written by another build is refused, never misread.
///
/// Version 1, all numbers little-endian:
///
/// | bytes | field |
/// |---|---|
/// | 1 | format version (1) |
/// | 1 | flags: bit 0 = payload is zlib-compressed; other bits must be 0 |
/// | varint | only when compressed: the payload's length before compression |
/// | ... | payload, plain or compressed |
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

  private static let compressedFlag: UInt8 = 1

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
    let payload = encodePayload(quote)
    var plain = Writer(capacity: payload.count + 2)
    plain.byte(formatVersion)
    plain.byte(0)
    plain.append(contentsOf: payload)
    guard payload.count >= threshold, let compressedPayload = compress(payload) else { return plain.bytes }
    var compressed = Writer(capacity: compressedPayload.count + 5)
    compressed.byte(formatVersion)
    compressed.byte(compressedFlag)
    compressed.varint(UInt64(payload.count))
    compressed.append(contentsOf: compressedPayload)
    return compressed.bytes.count < plain.bytes.count ? compressed.bytes : plain.bytes
  }

  /// Decodes an entry, or says precisely why it cannot: never traps, whatever the bytes.
  public static func decode(_ bytes: some Collection<UInt8>) throws(QuoteEntryError) -> Quote {
    var header = Reader(Array(bytes))
    guard header.remaining > 0 else { throw .empty }
    let version = try header.byte("format version")
    guard version == formatVersion else { throw .unsupportedVersion(version) }
    let flags = try header.byte("flags")
    guard flags & ~compressedFlag == 0 else { throw .unknownFlags(flags) }
    if flags & compressedFlag == 0 {
      return try decodePayload(&header)
    }
    let declared = try header.varint("compressed length")
    guard declared <= UInt64(maximumDecompressedSize) else {
      throw .decompressedTooLarge(maximum: maximumDecompressedSize)
    }
    var payload = Reader(try inflate(header.rest(), declaredLength: Int(declared)))
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

    var writer = Writer()
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

  private static func decodePayload(_ reader: inout Reader) throws(QuoteEntryError) -> Quote {
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

  /// Microseconds since 1970: exact for any time a provider reports, and an integer, so an
  /// entry does not depend on how a platform rounds `Date`.
  static func microseconds(_ date: Date) -> Int64 {
    let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
    // Far outside any real quote time; clamp rather than trap on a corrupt `Date`.
    guard value.isFinite else { return 0 }
    if value >= 9.2e18 { return .max }
    if value <= -9.2e18 { return .min }
    return Int64(value)
  }

  static func date(microseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
  }

  // MARK: Compression

  static func compress(_ payload: [UInt8]) -> [UInt8]? {
    do {
      let compressor = try ZlibCompressor(algorithm: .zlib)
      var input = ByteBuffer(bytes: payload)
      var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input))
      try compressor.deflate(from: &input, to: &output, flush: .finish)
      return output.readBytes(length: output.readableBytes)
    } catch {
      // Compression is only a saving: an entry is just as good stored plain.
      return nil
    }
  }

  /// Inflates at most `declaredLength` bytes (itself capped), and only a complete zlib stream
  /// with nothing after it: a truncated or padded entry is corrupt, not shorter.
  private static func inflate(_ compressed: ArraySlice<UInt8>, declaredLength: Int) throws(QuoteEntryError) -> [UInt8] {
    guard !compressed.isEmpty else { throw .corruptCompression }
    var input = ByteBuffer(bytes: compressed)
    // One byte more than declared, so a stream that inflates past it overflows visibly.
    var output = ByteBufferAllocator().buffer(capacity: declaredLength + 1)
    do {
      let decompressor = try ZlibDecompressor(algorithm: .zlib)
      try decompressor.inflate(from: &input, to: &output)
      guard output.readableBytes <= declaredLength else { throw QuoteEntryError.decompressedTooLarge(maximum: declaredLength) }
      guard input.readableBytes == 0 else { throw QuoteEntryError.trailingBytes(count: input.readableBytes) }
      // zlib consumes nothing once its stream has ended, so a probe byte left unread proves the
      // stream (checksum included) was complete.
      var probe = ByteBuffer(bytes: [0])
      try decompressor.inflate(from: &probe, to: &output)
      guard probe.readableBytes == 1 else { throw QuoteEntryError.corruptCompression }
    } catch let error as QuoteEntryError {
      throw error
    } catch let error as CompressNIOError where error == .bufferOverflow {
      throw .decompressedTooLarge(maximum: declaredLength)
    } catch {
      throw .corruptCompression
    }
    guard output.readableBytes == declaredLength else {
      throw .decompressedLengthMismatch(declared: declaredLength, actual: output.readableBytes)
    }
    return output.readBytes(length: output.readableBytes) ?? []
  }
}
