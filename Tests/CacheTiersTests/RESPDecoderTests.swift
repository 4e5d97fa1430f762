import CacheTiers
import Foundation
import NIOCore
import Testing

/// The decoder against literal wire bytes from the RESP2 and RESP3 specifications.
@Suite struct RESPDecoderTests {
  /// Every RESP type once, with the value it must decode to.
  static let everyType: [(wire: String, value: RESPValue)] = [
    ("+OK\r\n", .simpleString("OK")),
    ("+\r\n", .simpleString("")),
    ("-ERR unknown command 'FOO'\r\n", .simpleError("ERR unknown command 'FOO'")),
    (":0\r\n", .integer(0)),
    (":-7\r\n", .integer(-7)),
    (":+3\r\n", .integer(3)),
    (":9223372036854775807\r\n", .integer(.max)),
    (":-9223372036854775808\r\n", .integer(.min)),
    ("$5\r\nhello\r\n", .bulkString(buffer("hello"))),
    ("$0\r\n\r\n", .bulkString(buffer(""))),
    ("$6\r\na\r\nb\r\n\r\n", .bulkString(buffer("a\r\nb\r\n"))),
    ("$-1\r\n", .bulkString(nil)),
    ("*2\r\n$3\r\nfoo\r\n:1\r\n", .array([.bulkString(buffer("foo")), .integer(1)])),
    ("*0\r\n", .array([])),
    ("*-1\r\n", .array(nil)),
    ("_\r\n", .null),
    ("#t\r\n", .boolean(true)),
    ("#f\r\n", .boolean(false)),
    (",1.5\r\n", .double(1.5)),
    (",-2\r\n", .double(-2)),
    (",1.23e10\r\n", .double(1.23e10)),
    (",inf\r\n", .double(.infinity)),
    (",-inf\r\n", .double(-.infinity)),
    ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
    ("(-12\r\n", .bigNumber("-12")),
    ("!21\r\nSYNTAX invalid syntax\r\n", .bulkError("SYNTAX invalid syntax")),
    ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: buffer("Some string"))),
    ("=4\r\nmkd:\r\n", .verbatimString(format: "mkd", text: buffer(""))),
    (
      "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
      .map([
        .init(key: .simpleString("first"), value: .integer(1)), .init(key: .simpleString("second"), value: .integer(2)),
      ])
    ),
    ("%0\r\n", .map([])),
    ("~3\r\n+a\r\n+b\r\n:1\r\n", .set([.simpleString("a"), .simpleString("b"), .integer(1)])),
    (
      ">3\r\n$7\r\nmessage\r\n$3\r\nchn\r\n$2\r\nhi\r\n",
      .push([.bulkString(buffer("message")), .bulkString(buffer("chn")), .bulkString(buffer("hi"))])
    ),
    (
      "*3\r\n%1\r\n+k\r\n~2\r\n_\r\n#t\r\n*1\r\n*0\r\n$-1\r\n",
      .array([
        .map([.init(key: .simpleString("k"), value: .set([.null, .boolean(true)]))]), .array([.array([])]),
        .bulkString(nil),
      ])
    ),
  ]

  @Test(arguments: everyType.indices)
  func decodesEveryTypeFromLiteralBytes(index: Int) throws {
    let (wire, value) = Self.everyType[index]
    var decoder = RESPDecoder()
    #expect(try decoder.decode(buffer(wire)) == [value])
    #expect(decoder.bufferedByteCount == 0)
  }

  @Test func decodesNotANumber() throws {
    var decoder = RESPDecoder()
    let values = try decoder.decode(buffer(",nan\r\n"))
    guard case .double(let value) = values.first else {
      Issue.record("expected a double, got \(values)")
      return
    }
    #expect(value.isNaN)
  }

  @Test func attributesAreSkippedByDefault() throws {
    // The attribute example of the RESP3 specification: popularity of the keys of a reply.
    let wire =
      "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n"
    var decoder = RESPDecoder()
    #expect(try decoder.decode(buffer(wire)) == [.array([.integer(2_039_123), .integer(9_543_892)])])
  }

  @Test func attributesAreKeptWhenAskedFor() throws {
    let wire = "*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:5\r\n"
    var decoder = RESPDecoder(attributes: .keep)
    let attributed = RESPValue.attributed(
      .bulkString(buffer("v")), attributes: [.init(key: .simpleString("ttl"), value: .integer(3600))])
    #expect(try decoder.decode(buffer(wire)) == [.array([attributed, .integer(5)])])
  }

  @Test func anEmptyAttributeQualifiesTheNextValue() throws {
    var decoder = RESPDecoder(attributes: .keep)
    #expect(try decoder.decode(buffer("|0\r\n:1\r\n")) == [.attributed(.integer(1), attributes: [])])
  }

  @Test func pipelinedRepliesInOneBufferComeOutInOrder() throws {
    var decoder = RESPDecoder()
    let values = try decoder.decode(buffer("+OK\r\n$3\r\nabc\r\n:2\r\n_\r\n*1\r\n$-1\r\n-ERR no\r\n"))
    #expect(
      values == [
        .simpleString("OK"), .bulkString(buffer("abc")), .integer(2), .null, .array([.bulkString(nil)]),
        .simpleError("ERR no"),
      ])
  }

  @Test func pushFramesBetweenRepliesKeepTheirPlace() throws {
    var decoder = RESPDecoder()
    let push = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
    let values = try decoder.decode(buffer("+OK\r\n" + push + ":1\r\n" + push))
    let invalidation = RESPValue.push([.bulkString(buffer("invalidate")), .array([.bulkString(buffer("k"))])])
    #expect(values == [.simpleString("OK"), invalidation, .integer(1), invalidation])
  }

  @Test func aFrameSplitAtEveryByteOffsetDecodesTheSame() throws {
    let wire = Self.everyType.map(\.wire).joined()
    let expected = Self.everyType.map(\.value)
    let bytes = Array(wire.utf8)
    for split in 0...bytes.count {
      var decoder = RESPDecoder()
      var values = try decoder.decode(ByteBuffer(bytes: bytes[..<split]))
      values += try decoder.decode(ByteBuffer(bytes: bytes[split...]))
      #expect(values == expected, "split at \(split)")
      #expect(decoder.bufferedByteCount == 0)
    }
  }

  @Test func byteByByteDecodesTheSame() throws {
    let wire = Self.everyType.map(\.wire).joined()
    var decoder = RESPDecoder()
    var values: [RESPValue] = []
    for byte in wire.utf8 { values += try decoder.decode(ByteBuffer(bytes: [byte])) }
    #expect(values == Self.everyType.map(\.value))
  }

  @Test func aThreeWaySplitOfNestedAggregatesDecodesTheSame() throws {
    let bytes = Array("*2\r\n%1\r\n$3\r\nkey\r\n*2\r\n:1\r\n=7\r\ntxt:abc\r\n>1\r\n~1\r\n,2.5\r\n".utf8)
    var reference = RESPDecoder()
    let expected = try reference.decode(ByteBuffer(bytes: bytes))
    #expect(expected.count == 1)
    for first in 0...bytes.count {
      for second in first...bytes.count {
        var decoder = RESPDecoder()
        var values = try decoder.decode(ByteBuffer(bytes: bytes[..<first]))
        values += try decoder.decode(ByteBuffer(bytes: bytes[first..<second]))
        values += try decoder.decode(ByteBuffer(bytes: bytes[second...]))
        #expect(values == expected, "split at \(first) and \(second)")
      }
    }
  }

  @Test func anIncompleteValueWaitsForItsBytes() throws {
    var decoder = RESPDecoder()
    #expect(try decoder.decode(buffer("$10\r\nhello")) == [])
    #expect(try decoder.decode(buffer("wor")) == [])
    #expect(try decoder.decode(buffer("ld\r\n*2\r\n:1\r\n")) == [.bulkString(buffer("helloworld"))])
    #expect(try decoder.decode(buffer(":2\r")) == [])
    #expect(try decoder.decode(buffer("\n")) == [.array([.integer(1), .integer(2)])])
  }
}

/// Input a server must never send, or sends too much of: a typed error, at once, for good.
@Suite struct RESPDecoderRejectionTests {
  static let malformed: [(wire: String, error: RESPDecodingError)] = [
    ("?what\r\n", .invalidTypeByte(UInt8(ascii: "?"))),
    ("hello\r\n", .invalidTypeByte(UInt8(ascii: "h"))),
    ("$abc\r\n", .invalidLength),
    ("$\r\n", .invalidLength),
    ("$+3\r\nabc\r\n", .invalidLength),
    ("$-2\r\n", .invalidLength),
    ("*-5\r\n", .invalidLength),
    ("*1x\r\n", .invalidLength),
    ("%-1\r\n", .invalidLength),
    ("!-1\r\n", .invalidLength),
    ("$99999999999999999999\r\n", .invalidLength),
    ("$?\r\n", .invalidLength),
    ("+OK\n", .missingCRLF),
    ("+OK\rX", .missingCRLF),
    ("$3\r\nabcXY", .missingCRLF),
    (":12a\r\n", .invalidInteger),
    (":\r\n", .invalidInteger),
    (":-\r\n", .invalidInteger),
    (":9223372036854775808\r\n", .invalidInteger),
    ("#x\r\n", .invalidBoolean),
    ("#\r\n", .invalidBoolean),
    (",abc\r\n", .invalidDouble),
    (",\r\n", .invalidDouble),
    ("(12a\r\n", .invalidBigNumber),
    ("(\r\n", .invalidBigNumber),
    ("_x\r\n", .invalidNull),
    ("=3\r\nabc\r\n", .invalidVerbatimString),
    ("=4\r\ntxt;\r\n", .invalidVerbatimString),
  ]

  @Test(arguments: malformed.indices)
  func malformedInputIsATypedError(index: Int) {
    let (wire, error) = Self.malformed[index]
    var decoder = RESPDecoder()
    #expect(throws: error) { try decoder.decode(buffer(wire)) }
  }

  /// Found by fuzzing: a format that is not three ASCII characters decoded to a value that
  /// could not be written back (its text repaired to U+FFFD, three bytes longer).
  @Test func aVerbatimFormatMustBeThreeASCIICharacters() throws {
    var decoder = RESPDecoder()
    let wire = ByteBuffer(bytes: Array("=15\r\n".utf8) + [0x8C] + Array("xt:Some string\r\n".utf8))
    #expect(throws: RESPDecodingError.invalidVerbatimString) { try decoder.decode(wire) }

    // The fuzzer's own input: one header byte (keep attributes, no cuts), then the stream.
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../Fuzz/Regressions/resp/verbatim-format-not-ascii")
    let input = Array(try Data(contentsOf: url))
    var fuzzed = RESPDecoder(attributes: .keep)
    #expect(throws: RESPDecodingError.invalidVerbatimString) { try fuzzed.decode(ByteBuffer(bytes: input.dropFirst())) }
  }

  @Test func aBadTypeByteFailsBeforeTheLineEnds() {
    var decoder = RESPDecoder()
    #expect(throws: RESPDecodingError.invalidTypeByte(UInt8(ascii: "@"))) { try decoder.decode(buffer("@")) }
  }

  @Test func theDecoderStaysFailedAfterAnError() throws {
    var decoder = RESPDecoder()
    #expect(throws: RESPDecodingError.invalidLength) { try decoder.decode(buffer("*x\r\n")) }
    #expect(throws: RESPDecodingError.invalidLength) { try decoder.decode(buffer("+OK\r\n")) }
  }

  @Test func anOversizedBulkIsRefusedFromItsHeader() {
    var decoder = RESPDecoder(limits: .init(maximumBulkLength: 10))
    #expect(throws: RESPDecodingError.bulkLengthExceedsLimit(maximum: 10)) { try decoder.decode(buffer("$11\r\n")) }
    var atLimit = RESPDecoder(limits: .init(maximumBulkLength: 10))
    #expect(throws: Never.self) { try atLimit.decode(buffer("$10\r\n0123456789\r\n")) }
  }

  @Test func aHugeAnnouncedBulkIsRefusedWithoutAllocating() {
    var decoder = RESPDecoder()
    #expect(throws: RESPDecodingError.bulkLengthExceedsLimit(maximum: 16 << 20)) {
      try decoder.decode(buffer("$9223372036854775807\r\n"))
    }
  }

  @Test func tooManyElementsAreRefusedFromTheHeader() {
    for header in ["*", "%", "~", ">", "|"] {
      var decoder = RESPDecoder(limits: .init(maximumAggregateCount: 100))
      #expect(throws: RESPDecodingError.aggregateCountExceedsLimit(maximum: 100)) {
        try decoder.decode(buffer("\(header)101\r\n"))
      }
    }
    var huge = RESPDecoder()
    #expect(throws: RESPDecodingError.aggregateCountExceedsLimit(maximum: 1 << 20)) {
      try huge.decode(buffer("*9223372036854775807\r\n"))
    }
  }

  @Test func nestingDeeperThanTheLimitIsRefused() throws {
    var decoder = RESPDecoder(limits: .init(maximumDepth: 3))
    #expect(try decoder.decode(buffer("*1\r\n*1\r\n*1\r\n:1\r\n")) == [.array([.array([.array([.integer(1)])])])])
    #expect(throws: RESPDecodingError.depthExceedsLimit(maximum: 3)) {
      try decoder.decode(buffer("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"))
    }
    var attributes = RESPDecoder(limits: .init(maximumDepth: 3))
    #expect(throws: RESPDecodingError.depthExceedsLimit(maximum: 3)) {
      try attributes.decode(buffer(String(repeating: "|0\r\n", count: 4) + ":1\r\n"))
    }
  }

  @Test func aLineWithoutItsEndIsRefusedPastTheLimit() {
    var decoder = RESPDecoder(limits: .init(maximumLineLength: 16))
    #expect(throws: Never.self) { try decoder.decode(buffer("+" + String(repeating: "a", count: 16))) }
    #expect(throws: RESPDecodingError.lineLengthExceedsLimit(maximum: 16)) { try decoder.decode(buffer("a")) }
  }

  @Test func aValueLargerThanTheLimitIsRefusedAsItArrives() {
    var decoder = RESPDecoder(limits: .init(maximumValueBytes: 40))
    #expect(throws: Never.self) { try decoder.decode(buffer("*3\r\n$5\r\nhello\r\n$5\r\nworld\r\n")) }
    #expect(throws: RESPDecodingError.valueSizeExceedsLimit(maximum: 40)) {
      try decoder.decode(buffer("$20\r\n"))
    }
  }

  @Test func theValueLimitIsPerValue() throws {
    var decoder = RESPDecoder(limits: .init(maximumValueBytes: 16))
    let values = try decoder.decode(buffer(String(repeating: "$5\r\nhello\r\n", count: 10)))
    #expect(values.count == 10)
  }
}

func buffer(_ text: String) -> ByteBuffer {
  ByteBuffer(string: text)
}
