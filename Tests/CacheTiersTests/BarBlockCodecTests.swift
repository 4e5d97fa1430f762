import Foundation
import MarketCore
import Testing

@testable import CacheTiers

/// The stored form of a block of bars: round trips exactly, and refuses rather than misreads
/// anything damaged, hostile or from another version.
@Suite struct BarBlockCodecTests {
  static let daily = sampleBlock(Symbol("AAPL"))
  /// A UTC day of minute bars around the clock: 1440 bars, compressed.
  static let minutes = sampleBlock(Symbol("BTC-USD"), .oneMinute, containing: historyOrigin + 3_600)

  @Test func blocksOfEveryShapeRoundTripExactly() throws {
    var bare = sampleBlock(Symbol("^VIX"), .oneWeek, containing: historyOrigin - 400 * 86_400)
    bare.currency = nil
    bare.exchangeTimeZone = nil
    bare.isSimulated = true
    bare.bars = bare.bars.map { Bar(start: $0.start, open: $0.open, high: $0.high, low: $0.low, close: $0.close) }
    var empty = sampleBlock(Symbol("EURUSD=X"), .fifteenMinutes, containing: historyOrigin)
    empty.bars = []
    var awkward = sampleBlock(Symbol("600519.SS"), .oneHour)
    // Prices no decimal string would survive, a fractional volume (crypto), the last second.
    awkward.bars[0].close = 0.1 + 0.2
    awkward.bars[0].high = 0.1 + 0.2 + 1e-9
    awkward.bars[0].volume = 12.345_678_9
    awkward.bars.append(
      Bar(start: awkward.block.end - 1, open: 1, high: 1, low: 1, close: 1, adjustedClose: nil, volume: 0))
    for value in [Self.daily, Self.minutes, bare, empty, awkward] {
      for threshold in [0, 512, Int.max] {
        let bytes = BarBlockCodec.encode(value, compressAbove: threshold)
        #expect(try BarBlockCodec.decode(bytes) == value, "\(value.block) compressed above \(threshold)")
      }
    }
  }

  @Test func aDayOfMinuteBarsIsCompressedAndSmall() throws {
    let plain = BarBlockCodec.encode(Self.minutes, compressAbove: .max)
    let compressed = BarBlockCodec.encode(Self.minutes, compressAbove: 512)
    #expect(plain[1] == 0)
    #expect(compressed[1] == 1)
    #expect(compressed.count < plain.count * 3 / 4, "\(compressed.count) of \(plain.count) bytes")
    // Four prices, a one-byte time step and presence: well under the 56 bytes of a Bar.
    #expect(plain.count < Self.minutes.bars.count * 50)
  }

  @Test func everyTruncationFailsCleanly() {
    let entries = [
      BarBlockCodec.encode(Self.daily, compressAbove: .max),
      BarBlockCodec.encode(Self.daily, compressAbove: 0),
    ]
    #expect(entries[1][1] == 1, "the compressed path is covered too")
    for entry in entries {
      for length in 0..<entry.count {
        #expect(throws: EntryError.self, "cut at \(length) of \(entry.count)") {
          try BarBlockCodec.decode(entry.prefix(length))
        }
      }
    }
  }

  @Test func randomByteFlipsNeverCrashAndNeverYieldABarOutsideTheBlock() {
    var random = SeededRandom(seed: 23)
    let originals = [
      BarBlockCodec.encode(Self.daily, compressAbove: .max),
      BarBlockCodec.encode(Self.daily, compressAbove: 0),
    ]
    var refused = 0
    for original in originals {
      for _ in 0..<3_000 {
        var bytes = original
        for _ in 0...Int.random(in: 0...3, using: &random) {
          bytes[Int.random(in: bytes.indices, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
        }
        do {
          let block = try BarBlockCodec.decode(bytes)
          var previous = Int64.min
          for bar in block.bars {
            #expect(bar.start >= block.block.start && bar.start < block.block.end && bar.start > previous)
            previous = bar.start
          }
        } catch {
          refused += 1
        }
      }
    }
    #expect(refused > 0)
  }

  @Test func anotherVersionUnknownFlagsAndUnknownFieldsAreRefused() {
    var bytes = BarBlockCodec.encode(Self.daily, compressAbove: .max)
    bytes[0] = 2
    #expect(throws: EntryError.unsupportedVersion(2, supported: 1)) { try BarBlockCodec.decode(bytes) }
    var flagged = BarBlockCodec.encode(Self.daily, compressAbove: .max)
    flagged[1] = 0x04
    #expect(throws: EntryError.unknownFlags(0x04)) { try BarBlockCodec.decode(flagged) }
    var fielded = BarBlockCodec.encode(Self.daily, compressAbove: .max)
    fielded[2] |= 0x80
    #expect(throws: EntryError.unknownFields(0x80)) { try BarBlockCodec.decode(fielded) }
    #expect(throws: EntryError.empty) { try BarBlockCodec.decode([UInt8]()) }
    let padded = BarBlockCodec.encode(Self.daily, compressAbove: .max) + [0]
    #expect(throws: EntryError.trailingBytes(count: 1)) { try BarBlockCodec.decode(padded) }
  }

  /// A plain version-1 entry built field by field, for shapes the encoder never writes.
  static func handMade(
    interval: String = "1d", start: Int64 = 1_759_276_800, length: UInt64 = 31 * 86_400, count: UInt64,
    bars: (inout EntryWriter) -> Void = { _ in }
  ) -> [UInt8] {
    var writer = EntryWriter()
    writer.byte(1)
    writer.byte(0)
    writer.byte(0)
    writer.text("AAPL")
    writer.text(interval)
    writer.text("yahoo")
    writer.signedVarint(start)
    writer.varint(length)
    writer.int64(0)
    writer.varint(count)
    bars(&writer)
    return writer.bytes
  }

  static func bar(_ writer: inout EntryWriter, delta: UInt64, price: Double = 10) {
    writer.byte(0)
    writer.varint(delta)
    for _ in 0..<4 { writer.double(price) }
  }

  @Test func theHandMadeEntryReadsAsAReference() throws {
    let entry = Self.handMade(count: 2) { writer in
      Self.bar(&writer, delta: 0)
      Self.bar(&writer, delta: 86_400)
    }
    let block = try BarBlockCodec.decode(entry)
    #expect(block.bars.map(\.start) == [1_759_276_800, 1_759_363_200])
  }

  @Test func absurdCountsAreRefusedBeforeAnythingIsAllocated() {
    let huge = Self.handMade(count: UInt64.max >> 1)
    #expect(throws: EntryError.countTooLarge(field: "bars", count: UInt64.max >> 1, maximum: BarBlockCodec.maximumBarCount)) {
      try BarBlockCodec.decode(huge)
    }
    // Under the cap, but more than the bytes that follow could hold.
    let lying = Self.handMade(count: 5_000) { Self.bar(&$0, delta: 0) }
    #expect(throws: EntryError.countTooLarge(field: "bars", count: 5_000, maximum: BarBlockCodec.maximumBarCount)) {
      try BarBlockCodec.decode(lying)
    }
    let longText = Self.handMade(interval: String(repeating: "1", count: 40), count: 0)
    #expect(throws: EntryError.lengthTooLarge(field: "interval", length: 40, maximum: 8)) {
      try BarBlockCodec.decode(longText)
    }
  }

  @Test func barsOutsideTheBlockOrOutOfOrderAreRefused() {
    let pastTheEnd = Self.handMade(count: 1) { Self.bar(&$0, delta: 31 * 86_400) }
    #expect(throws: EntryError.barOutOfPlace(index: 0)) { try BarBlockCodec.decode(pastTheEnd) }
    let repeated = Self.handMade(count: 2) { writer in
      Self.bar(&writer, delta: 86_400)
      Self.bar(&writer, delta: 0)
    }
    #expect(throws: EntryError.barOutOfPlace(index: 1)) { try BarBlockCodec.decode(repeated) }
    let walksOff = Self.handMade(count: 2) { writer in
      Self.bar(&writer, delta: 30 * 86_400)
      Self.bar(&writer, delta: 2 * 86_400)
    }
    #expect(throws: EntryError.barOutOfPlace(index: 1)) { try BarBlockCodec.decode(walksOff) }
    let overflowing = Self.handMade(start: .max - 10, length: 20, count: 0)
    #expect(throws: EntryError.invalidBlockSpan) { try BarBlockCodec.decode(overflowing) }
    let empty = Self.handMade(length: 0, count: 0)
    #expect(throws: EntryError.invalidBlockSpan) { try BarBlockCodec.decode(empty) }
    let unknownInterval = Self.handMade(interval: "2d", count: 0)
    #expect(throws: EntryError.invalidInterval) { try BarBlockCodec.decode(unknownInterval) }
  }

  @Test(arguments: [Double.nan, .infinity, -.infinity])
  func aNonFinitePriceIsRefused(_ price: Double) {
    let entry = Self.handMade(count: 1) { Self.bar(&$0, delta: 0, price: price) }
    #expect(throws: EntryError.nonFinitePrice) { try BarBlockCodec.decode(entry) }
  }

  @Test func oversizedDecompressionIsRefused() throws {
    // A megabyte of zeros deflates to about a kilobyte; the entry declares a small payload.
    let bomb = try #require(EntryEnvelope.compress([UInt8](repeating: 0, count: 1 << 20)))
    var entry = EntryWriter()
    entry.byte(1)
    entry.byte(1)
    entry.varint(200)
    entry.append(contentsOf: bomb)
    #expect(throws: EntryError.decompressedTooLarge(maximum: 200)) { try BarBlockCodec.decode(entry.bytes) }
    // A declared size past the cap is refused before inflating anything.
    var oversized = EntryWriter()
    oversized.byte(1)
    oversized.byte(1)
    oversized.varint(UInt64(BarBlockCodec.maximumDecompressedSize) + 1)
    oversized.append(contentsOf: bomb)
    #expect(throws: EntryError.decompressedTooLarge(maximum: BarBlockCodec.maximumDecompressedSize)) {
      try BarBlockCodec.decode(oversized.bytes)
    }
  }

  @Test func aQuoteEntryIsNotABlock() {
    let quote = QuoteEntryCodec.encode(sqliteQuote(Symbol("AAPL"), 1), compressAbove: .max)
    #expect(throws: EntryError.self) { try BarBlockCodec.decode(quote) }
  }
}
