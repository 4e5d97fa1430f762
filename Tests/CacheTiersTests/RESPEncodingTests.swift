import CacheTiers
import NIOCore
import Testing

/// What we write: commands as arrays of bulk strings, and every value for fakes and tests.
@Suite struct RESPEncodingTests {
  static let values: [RESPValue] = [
    .simpleString("OK"), .simpleError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    .integer(0), .integer(.min), .integer(.max), .integer(-42), .bulkString(buffer("")),
    .bulkString(ByteBuffer(bytes: [0, 13, 10, 255])), .bulkString(nil), .array([]), .array(nil), .null,
    .boolean(true), .boolean(false), .double(0.1), .double(-1e300), .double(.infinity), .double(-.infinity),
    .bigNumber("-3492890328409238509324850943850943825024385"), .bulkError("ERR multi\r\nline"),
    .verbatimString(format: "txt", text: buffer("Some string")),
    .map([.init(key: .bulkString(buffer("a")), value: .array([.integer(1), .null]))]),
    .set([.simpleString("x"), .double(2.5)]),
    .push([.bulkString(buffer("message")), .bulkString(buffer("c")), .bulkString(buffer("p"))]),
    .array([.map([]), .set([]), .array([.array([.bulkString(nil)])])]),
  ]

  @Test(arguments: values)
  func everyValueRoundTrips(value: RESPValue) throws {
    var decoder = RESPDecoder()
    #expect(try decoder.decode(value.encoded) == [value])
  }

  @Test func notANumberRoundTrips() throws {
    var decoder = RESPDecoder()
    let decoded = try decoder.decode(RESPValue.double(.nan).encoded)
    #expect(decoded.first.map { if case .double(let value) = $0 { value.isNaN } else { false } } == true)
  }

  @Test func attributesRoundTripWhenKept() throws {
    let value = RESPValue.attributed(.integer(7), attributes: [.init(key: .simpleString("k"), value: .boolean(true))])
    var decoder = RESPDecoder(attributes: .keep)
    #expect(try decoder.decode(value.encoded) == [value])
  }

  @Test func wireFormsAreTheSpecifications() {
    #expect(String(buffer: RESPValue.integer(-12).encoded) == ":-12\r\n")
    #expect(String(buffer: RESPValue.double(.infinity).encoded) == ",inf\r\n")
    #expect(String(buffer: RESPValue.double(-.infinity).encoded) == ",-inf\r\n")
    #expect(String(buffer: RESPValue.double(.nan).encoded) == ",nan\r\n")
    #expect(String(buffer: RESPValue.bulkString(nil).encoded) == "$-1\r\n")
    #expect(String(buffer: RESPValue.array(nil).encoded) == "*-1\r\n")
    #expect(String(buffer: RESPValue.verbatimString(format: "txt", text: buffer("hi")).encoded) == "=6\r\ntxt:hi\r\n")
    #expect(String(buffer: RESPValue.bulkError("SYNTAX x").encoded) == "!8\r\nSYNTAX x\r\n")
  }

  @Test func aCommandIsAnArrayOfBulkStrings() {
    let command = RedisCommand("SET", ["key", "value"]).appending("PX").appending(1500)
    var wire = ByteBuffer()
    command.write(into: &wire)
    #expect(String(buffer: wire) == "*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n$2\r\nPX\r\n$4\r\n1500\r\n")
  }

  @Test func binaryArgumentsTravelUntouched() throws {
    let payload: [UInt8] = [0, 13, 10, 36, 42, 255]
    let command = RedisCommand("SET", ["k"]).appending(payload)
    var wire = ByteBuffer()
    command.write(into: &wire)
    var decoder = RESPDecoder()
    let decoded = try decoder.decode(wire)
    #expect(
      decoded == [
        .array([.bulkString(buffer("SET")), .bulkString(buffer("k")), .bulkString(ByteBuffer(bytes: payload))])
      ])
  }

  @Test func commandsAppendToWhatIsAlreadyInTheBuffer() {
    var wire = ByteBuffer(string: "+")
    RedisCommand(words: ["PING"]).write(into: &wire)
    RedisCommand("GET", ["ü"]).write(into: &wire)
    #expect(String(buffer: wire) == "+*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$2\r\nü\r\n")
  }

  @Test func numbersAreWrittenAsDecimalText() {
    for number in [0, 9, 10, 99, 100, -1, -10, Int.max, Int.min] {
      var wire = ByteBuffer()
      RedisCommand("X").appending(number).write(into: &wire)
      #expect(String(buffer: wire) == "*2\r\n$1\r\nX\r\n$\(String(number).utf8.count)\r\n\(number)\r\n")
    }
  }

  @Test func aCommandsDescriptionNamesNoArgument() {
    let command = RedisCommand("AUTH", ["alice", "s3cret-password"])
    #expect(command.description == "AUTH (2 arguments)")
    #expect(!String(describing: command).contains("s3cret"))
    #expect(!String(reflecting: command).contains("s3cret"))
  }
}
