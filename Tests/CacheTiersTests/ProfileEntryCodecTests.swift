import Foundation
import MarketCore
import Testing

@testable import CacheTiers

/// The stored form of a profile: round trips, refusals.
@Suite struct ProfileEntryCodecTests {
  static let full = sampleProfile(Symbol("AAPL"), name: "Apple Inc. — 苹果")
  static let minimal = Profile(
    symbol: Symbol("BTC-USD"), name: "Bitcoin USD", source: "yahoo", receivedAt: EntryEnvelope.date(microseconds: 7),
    isSimulated: true)

  @Test func fullAndMinimalProfilesRoundTrip() throws {
    for profile in [Self.full, Self.minimal] {
      for threshold in [0, 512, Int.max] {
        #expect(try ProfileEntryCodec.decode(ProfileEntryCodec.encode(profile, compressAbove: threshold)) == profile)
      }
    }
    // The description makes a full profile worth compressing.
    #expect(ProfileEntryCodec.encode(Self.full, compressAbove: 512)[1] == 1)
  }

  @Test func everyTruncationFailsCleanly() {
    for entry in [
      ProfileEntryCodec.encode(Self.full, compressAbove: .max), ProfileEntryCodec.encode(Self.full, compressAbove: 0),
      ProfileEntryCodec.encode(Self.minimal, compressAbove: .max),
    ] {
      for length in 0..<entry.count {
        #expect(throws: EntryError.self, "cut at \(length) of \(entry.count)") {
          try ProfileEntryCodec.decode(entry.prefix(length))
        }
      }
    }
  }

  @Test func randomByteFlipsNeverCrash() {
    var random = SeededRandom(seed: 31)
    let originals = [
      ProfileEntryCodec.encode(Self.full, compressAbove: .max), ProfileEntryCodec.encode(Self.full, compressAbove: 0),
    ]
    #expect(originals[1][1] == 1, "the compressed path is covered too")
    for original in originals {
      var refused = 0
      for _ in 0..<3_000 {
        var bytes = original
        bytes[Int.random(in: bytes.indices, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
        do { _ = try ProfileEntryCodec.decode(bytes) } catch { refused += 1 }
      }
      #expect(refused > 0)
    }
  }

  @Test func theLongestDescriptionRoundTrips() throws {
    var long = Self.full
    long.description = String(repeating: "界", count: Profile.descriptionLimit) + "…"
    #expect(try ProfileEntryCodec.decode(ProfileEntryCodec.encode(long, compressAbove: .max)) == long)
  }

  /// A plain version-1 entry built field by field, for shapes the encoder never writes.
  static func handMade(fields: UInt16 = 0, symbol: String = "AAPL", texts: [String] = []) -> [UInt8] {
    var writer = EntryWriter()
    writer.byte(1)
    writer.byte(0)
    writer.littleEndian(fields)
    writer.text(symbol)
    writer.text("fmp")
    writer.int64(0)
    for text in texts { writer.text(text) }
    return writer.bytes
  }

  @Test func anOverlongTextAnInvalidSymbolAndAMissingTextAreRefused() throws {
    let tooLong = ProfileEntryCodec.maximumTextLength + 1
    let long = Self.handMade(fields: 1, texts: [String(repeating: "x", count: tooLong)])
    #expect(
      throws: EntryError.lengthTooLarge(field: "name", length: UInt64(tooLong), maximum: ProfileEntryCodec.maximumTextLength)
    ) { try ProfileEntryCodec.decode(long) }
    #expect(throws: EntryError.self) { try ProfileEntryCodec.decode(Self.handMade(symbol: "A B")) }
    // The mask promises a sector (bit 3) that is not there.
    #expect(throws: EntryError.truncated(field: "sector")) {
      try ProfileEntryCodec.decode(Self.handMade(fields: 1 << 3))
    }
    #expect(try ProfileEntryCodec.decode(Self.handMade(fields: 1, texts: ["Apple"])).name == "Apple")
  }

  @Test func anotherVersionUnknownFieldsAndNonFiniteNumbersAreRefused() {
    var bytes = ProfileEntryCodec.encode(Self.minimal, compressAbove: .max)
    bytes[0] = 9
    #expect(throws: EntryError.unsupportedVersion(9, supported: 1)) { try ProfileEntryCodec.decode(bytes) }
    var fielded = ProfileEntryCodec.encode(Self.minimal, compressAbove: .max)
    fielded[3] |= 0x80
    #expect(throws: EntryError.unknownFields(0x8000)) { try ProfileEntryCodec.decode(fielded) }
    var infinite = Self.minimal
    infinite.marketCap = .infinity
    #expect(throws: EntryError.nonFiniteNumber(field: "market cap")) {
      try ProfileEntryCodec.decode(ProfileEntryCodec.encode(infinite, compressAbove: .max))
    }
    #expect(throws: EntryError.self) {
      try ProfileEntryCodec.decode(BarBlockCodec.encode(sampleBlock(Symbol("AAPL")), compressAbove: .max))
    }
  }
}
