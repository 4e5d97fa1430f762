import NIOCore

/// One Redis command: its name and arguments as RESP bulk strings, encoded as they are
/// appended so that sending only copies bytes.
///
/// Its description shows the name and the number of arguments, never their values, so a
/// command (`AUTH`, or a `SET` of private data) can be logged or put in an error safely.
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// The first word, as given (`GET`, `client`).
  public let name: String
  /// Words after the name.
  public private(set) var argumentCount = 0
  /// `$len\r\nbytes\r\n` for the name and every argument; the array header is written on send.
  private var encodedWords: ByteBuffer

  public init(_ name: String) {
    self.name = name
    encodedWords = ByteBuffer()
    encodedWords.reserveCapacity(name.utf8.count + 64)
    encodedWords.writeBulkString(name.utf8)
  }

  public init(_ name: String, _ arguments: [String]) {
    self.init(name)
    for argument in arguments { append(argument) }
  }

  /// A command from its words, name first (`["SET", "key", "value"]`).
  public init(words: [String]) {
    self.init(words.first ?? "", Array(words.dropFirst()))
  }

  public mutating func append(_ argument: String) {
    encodedWords.writeBulkString(argument.utf8)
    argumentCount += 1
  }

  /// A binary argument, sent as it is.
  public mutating func append(_ bytes: [UInt8]) {
    encodedWords.writeBulkString(bytes)
    argumentCount += 1
  }

  /// A binary argument, sent as it is.
  public mutating func append(_ bytes: ByteBuffer) {
    encodedWords.writeBulkString(bytes.readableBytesView)
    argumentCount += 1
  }

  /// A number, sent as its decimal text as Redis expects.
  public mutating func append(_ number: Int) {
    var digits = ByteBuffer()
    digits.writeDecimal(Int64(number))
    append(digits)
  }

  /// This command with one more argument, for building a command in one expression.
  public func appending(_ argument: String) -> RedisCommand {
    var command = self
    command.append(argument)
    return command
  }

  public func appending(_ bytes: [UInt8]) -> RedisCommand {
    var command = self
    command.append(bytes)
    return command
  }

  public func appending(_ number: Int) -> RedisCommand {
    var command = self
    command.append(number)
    return command
  }

  /// The name in upper case, for recognising commands whatever their spelling.
  var canonicalName: String { name.uppercased() }

  /// Bytes this command takes on the wire.
  public var encodedLength: Int { encodedWords.readableBytes + 16 }

  /// Appends the command as a RESP array of bulk strings.
  public func write(into buffer: inout ByteBuffer) {
    buffer.writeAggregateHeader(type: .array, count: argumentCount + 1)
    buffer.writeImmutableBuffer(encodedWords)
  }

  public var description: String {
    "\(name) (\(argumentCount) argument\(argumentCount == 1 ? "" : "s"))"
  }

  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: ["name": name, "argumentCount": argumentCount]) }
}
