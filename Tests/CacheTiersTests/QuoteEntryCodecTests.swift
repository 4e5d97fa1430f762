import Foundation
import MarketCore
import Testing

@testable import CacheTiers

@Suite struct QuoteEntryCodecTests {
  /// Whole microseconds, which is what the codec keeps, so decoded quotes compare equal.
  static func time(_ microseconds: Int64) -> Date { QuoteEntryCodec.date(microseconds: microseconds) }

  static func full(_ symbol: Symbol) -> Quote {
    Quote(
      symbol: symbol, price: 232.17, change: -1.25, changePercent: -0.53, open: 233.4, high: 234.99, low: 231.02,
      previousClose: 233.42, volume: 48_213_377, currency: "USD", asOf: time(1_764_374_399_250_000),
      receivedAt: time(1_764_374_400_123_456), source: "yahoo", isSimulated: false)
  }

  static func minimal(_ symbol: Symbol) -> Quote {
    Quote(symbol: symbol, price: 1.1731, asOf: time(0), receivedAt: time(-1), source: "", isSimulated: true)
  }

  static let oddSymbols = [Symbol("AAPL"), Symbol("^VIX"), Symbol("EURUSD=X"), Symbol("600519.SS"), Symbol("BRK-B")]

  @Test(arguments: oddSymbols)
  func fullAndMinimalQuotesRoundTrip(_ symbol: Symbol) throws {
    for quote in [Self.full(symbol), Self.minimal(symbol)] {
      let bytes = QuoteEntryCodec.encode(quote, compressAbove: .max)
      #expect(bytes[0] == 1)
      #expect(bytes[1] == 0)
      #expect(try QuoteEntryCodec.decode(bytes) == quote)
    }
  }

  /// Each optional on its own, and each missing from an otherwise full quote: the field mask
  /// and the order of the values must agree for every combination that matters.
  @Test(arguments: 0..<8)
  func eachOptionalFieldRoundTripsAloneAndMissing(_ field: Int) throws {
    let full = Self.full(Symbol("BTC-USD"))
    var alone = Self.minimal(Symbol("BTC-USD"))
    var missing = full
    switch field {
    case 0: (alone.change, missing.change) = (full.change, nil)
    case 1: (alone.changePercent, missing.changePercent) = (full.changePercent, nil)
    case 2: (alone.open, missing.open) = (full.open, nil)
    case 3: (alone.high, missing.high) = (full.high, nil)
    case 4: (alone.low, missing.low) = (full.low, nil)
    case 5: (alone.previousClose, missing.previousClose) = (full.previousClose, nil)
    case 6: (alone.volume, missing.volume) = (full.volume, nil)
    default: (alone.currency, missing.currency) = (full.currency, nil)
    }
    #expect(try QuoteEntryCodec.decode(QuoteEntryCodec.encode(alone, compressAbove: .max)) == alone)
    #expect(try QuoteEntryCodec.decode(QuoteEntryCodec.encode(missing, compressAbove: .max)) == missing)
  }

  @Test func extremeNumbersRoundTrip() throws {
    var quote = Self.full(Symbol("GME"))
    quote.volume = .min
    quote.change = -.greatestFiniteMagnitude
    quote.open = .infinity
    quote.price = .leastNonzeroMagnitude
    quote.asOf = Self.time(.max)
    #expect(try QuoteEntryCodec.decode(QuoteEntryCodec.encode(quote, compressAbove: .max)) == quote)
    quote.volume = .max
    #expect(try QuoteEntryCodec.decode(QuoteEntryCodec.encode(quote, compressAbove: .max)) == quote)
  }

  @Test func aCompressibleQuoteIsCompressedAndRoundTrips() throws {
    var quote = Self.full(Symbol("0700.HK"))
    quote.currency = String(repeating: "HKD", count: 80)
    let compressed = QuoteEntryCodec.encode(quote, compressAbove: 0)
    let plain = QuoteEntryCodec.encode(quote, compressAbove: .max)
    #expect(compressed[1] == 1)
    #expect(plain[1] == 0)
    #expect(compressed.count < plain.count)
    #expect(try QuoteEntryCodec.decode(compressed) == quote)
  }

  @Test func compressionIsSkippedWhenItWouldNotShrinkTheEntry() throws {
    // Random bits in every number: nothing for zlib to find, so its framing only adds bytes.
    var random = SeededRandom(seed: 5)
    func noise() -> Double { Double(bitPattern: random.next() & ~(0x7FF << 52)) }
    let quote = Quote(
      symbol: Symbol("KO"), price: noise(), change: noise(), changePercent: noise(), open: noise(), high: noise(),
      low: noise(), previousClose: noise(), volume: Int64(bitPattern: random.next()), currency: "USD",
      asOf: Self.time(Int64(bitPattern: random.next())), receivedAt: Self.time(Int64(bitPattern: random.next())),
      source: "yahoo", isSimulated: false)
    let bytes = QuoteEntryCodec.encode(quote, compressAbove: 0)
    #expect(bytes[1] == 0)
    #expect(try QuoteEntryCodec.decode(bytes) == quote)
  }

  @Test func everyTruncationFailsCleanly() {
    var long = Self.full(Symbol("SOL-USD"))
    long.currency = String(repeating: "USDT", count: 50)
    let entries = [
      QuoteEntryCodec.encode(Self.full(Symbol("^VIX")), compressAbove: .max),
      QuoteEntryCodec.encode(Self.minimal(Symbol("EURUSD=X")), compressAbove: .max),
      QuoteEntryCodec.encode(long, compressAbove: 0),
    ]
    #expect(entries[2][1] == 1, "the compressed path is covered too")
    for entry in entries {
      for length in 0..<entry.count {
        #expect(throws: EntryError.self, "cut at \(length) of \(entry.count)") {
          try QuoteEntryCodec.decode(entry.prefix(length))
        }
      }
    }
  }

  @Test func randomByteFlipsNeverCrash() {
    var random = SeededRandom(seed: 17)
    var long = Self.full(Symbol("600519.SS"))
    long.source = ProviderID(String(repeating: "openbb", count: 30))
    let originals = [
      QuoteEntryCodec.encode(Self.full(Symbol("600519.SS")), compressAbove: .max),
      QuoteEntryCodec.encode(long, compressAbove: 0),
    ]
    var refused = 0
    for original in originals {
      for _ in 0..<2_000 {
        var bytes = original
        for _ in 0...Int.random(in: 0...3, using: &random) {
          bytes[Int.random(in: bytes.indices, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
        }
        do {
          _ = try QuoteEntryCodec.decode(bytes)
        } catch {
          refused += 1
        }
      }
    }
    // Most flips land in a price and still decode; many do not. Either way, no trap.
    #expect(refused > 0)
  }

  @Test func aNewerFormatVersionIsRefusedWithAClearMessage() {
    var bytes = QuoteEntryCodec.encode(Self.full(Symbol("AAPL")), compressAbove: .max)
    bytes[0] = 2
    #expect(throws: EntryError.unsupportedVersion(2, supported: 1)) { try QuoteEntryCodec.decode(bytes) }
    let message = EntryError.unsupportedVersion(2, supported: 1).description
    #expect(message.contains("version 2"))
    #expect(message.contains("only version 1"))
  }

  @Test func unknownFlagsAndFieldsAreRefused() {
    var flagged = QuoteEntryCodec.encode(Self.full(Symbol("AAPL")), compressAbove: .max)
    flagged[1] = 0x02
    #expect(throws: EntryError.unknownFlags(0x02)) { try QuoteEntryCodec.decode(flagged) }
    var fielded = QuoteEntryCodec.encode(Self.full(Symbol("AAPL")), compressAbove: .max)
    fielded[3] |= 0x80
    #expect(throws: EntryError.unknownFields(0x8000)) { try QuoteEntryCodec.decode(fielded) }
  }

  @Test func emptyAndTrailingBytesAreRefused() {
    #expect(throws: EntryError.empty) { try QuoteEntryCodec.decode([UInt8]()) }
    let padded = QuoteEntryCodec.encode(Self.minimal(Symbol("KO")), compressAbove: .max) + [0]
    #expect(throws: EntryError.trailingBytes(count: 1)) { try QuoteEntryCodec.decode(padded) }
  }

  /// Builds a plain version-1 entry field by field, for shapes the encoder never writes.
  static func handMade(symbolLength: [UInt8], symbol: [UInt8], price: Double = 1) -> [UInt8] {
    var writer = EntryWriter()
    writer.byte(1)
    writer.byte(0)
    writer.littleEndian(UInt16(0))
    writer.append(contentsOf: symbolLength + symbol)
    writer.text("src")
    writer.double(price)
    writer.int64(0)
    writer.int64(0)
    return writer.bytes
  }

  @Test func badVarintsOversizedLengthsAndInvalidSymbolsAreRefused() {
    let overflowing = Self.handMade(symbolLength: [UInt8](repeating: 0xFF, count: 10) + [0x01], symbol: [])
    #expect(throws: EntryError.malformedVarint(field: "symbol")) { try QuoteEntryCodec.decode(overflowing) }
    let huge = Self.handMade(symbolLength: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], symbol: [])
    #expect(throws: EntryError.lengthTooLarge(field: "symbol", length: 0xFFFF_FFFF, maximum: 96)) {
      try QuoteEntryCodec.decode(huge)
    }
    let spaced = Self.handMade(symbolLength: [3], symbol: Array("A B".utf8))
    #expect(throws: EntryError.self) { try QuoteEntryCodec.decode(spaced) }
    let notUTF8 = Self.handMade(symbolLength: [2], symbol: [0xC3, 0x28])
    #expect(throws: EntryError.invalidText(field: "symbol")) { try QuoteEntryCodec.decode(notUTF8) }
  }

  @Test(arguments: [Double.nan, .infinity, -.infinity])
  func aNonFinitePriceIsRefused(_ price: Double) {
    let entry = Self.handMade(symbolLength: [4], symbol: Array("AAPL".utf8), price: price)
    #expect(throws: EntryError.nonFinitePrice) { try QuoteEntryCodec.decode(entry) }
  }

  @Test func aDecompressionBombIsRefused() throws {
    // A megabyte of zeros deflates to about a kilobyte; the entry declares a small payload.
    let bomb = try #require(QuoteEntryCodec.compress([UInt8](repeating: 0, count: 1 << 20)))
    var entry = EntryWriter()
    entry.byte(1)
    entry.byte(1)
    entry.varint(200)
    entry.append(contentsOf: bomb)
    #expect(throws: EntryError.decompressedTooLarge(maximum: 200)) { try QuoteEntryCodec.decode(entry.bytes) }

    var oversized = EntryWriter()
    oversized.byte(1)
    oversized.byte(1)
    oversized.varint(UInt64(QuoteEntryCodec.maximumDecompressedSize + 1))
    oversized.append(contentsOf: bomb)
    #expect(throws: EntryError.decompressedTooLarge(maximum: QuoteEntryCodec.maximumDecompressedSize)) {
      try QuoteEntryCodec.decode(oversized.bytes)
    }
  }

  @Test func aCompressedPayloadShorterThanDeclaredIsRefused() throws {
    var quote = Self.full(Symbol("TSLA"))
    quote.source = ProviderID(String(repeating: "finnhub", count: 20))
    var bytes = QuoteEntryCodec.encode(quote, compressAbove: 0)
    #expect(bytes[1] == 1)
    // The declared length is a two-byte varint here; claim one byte more than the payload.
    var declared = EntryReader(bytes, offset: 2)
    let length = try declared.varint("length")
    var writer = EntryWriter()
    writer.varint(length + 1)
    bytes.replaceSubrange(2..<declared.offset, with: writer.bytes)
    #expect(throws: EntryError.self) { try QuoteEntryCodec.decode(bytes) }
  }
}
