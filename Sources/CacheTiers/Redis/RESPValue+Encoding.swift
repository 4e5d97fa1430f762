import NIOCore

extension RESPValue {
  /// Appends this value in its wire form. Clients only ever send arrays of bulk strings
  /// (``RedisCommand``); the other types are written for servers, fakes and tests.
  public func write(into buffer: inout ByteBuffer) {
    switch self {
    case .simpleString(let text):
      buffer.writeLine(type: .simpleString, text)
    case .simpleError(let message):
      buffer.writeLine(type: .simpleError, message)
    case .integer(let value):
      buffer.writeInteger(RESPType.integer.rawValue)
      buffer.writeDecimal(value)
      buffer.writeCRLF()
    case .bulkString(nil):
      buffer.writeStaticString("$-1\r\n")
    case .bulkString(let bytes?):
      buffer.writeBulkString(bytes.readableBytesView)
    case .array(nil):
      buffer.writeStaticString("*-1\r\n")
    case .array(let values?):
      buffer.writeAggregate(type: .array, values)
    case .null:
      buffer.writeStaticString("_\r\n")
    case .boolean(let value):
      buffer.writeStaticString(value ? "#t\r\n" : "#f\r\n")
    case .double(let value):
      // Swift spells infinities as RESP3 does (`inf`, `-inf`); NaN loses its sign here.
      buffer.writeLine(type: .double, value.isNaN ? "nan" : value.description)
    case .bigNumber(let digits):
      buffer.writeLine(type: .bigNumber, digits)
    case .bulkError(let message):
      buffer.writeInteger(RESPType.bulkError.rawValue)
      buffer.writeDecimal(Int64(message.utf8.count))
      buffer.writeCRLF()
      buffer.writeString(message)
      buffer.writeCRLF()
    case .verbatimString(let format, let text):
      buffer.writeInteger(RESPType.verbatimString.rawValue)
      buffer.writeDecimal(Int64(format.utf8.count + 1 + text.readableBytes))
      buffer.writeCRLF()
      buffer.writeString(format)
      buffer.writeInteger(UInt8(ascii: ":"))
      buffer.writeImmutableBuffer(text)
      buffer.writeCRLF()
    case .map(let entries):
      buffer.writeEntries(type: .map, entries)
    case .set(let values):
      buffer.writeAggregate(type: .set, values)
    case .push(let values):
      buffer.writeAggregate(type: .push, values)
    case .attributed(let value, let attributes):
      buffer.writeEntries(type: .attribute, attributes)
      value.write(into: &buffer)
    }
  }

  /// This value in its wire form.
  public var encoded: ByteBuffer {
    var buffer = ByteBuffer()
    write(into: &buffer)
    return buffer
  }
}

/// The first byte of every RESP value.
enum RESPType: UInt8 {
  case simpleString = 0x2B  // +
  case simpleError = 0x2D  // -
  case integer = 0x3A  // :
  case bulkString = 0x24  // $
  case array = 0x2A  // *
  case null = 0x5F  // _
  case boolean = 0x23  // #
  case double = 0x2C  // ,
  case bigNumber = 0x28  // (
  case bulkError = 0x21  // !
  case verbatimString = 0x3D  // =
  case map = 0x25  // %
  case set = 0x7E  // ~
  case attribute = 0x7C  // |
  case push = 0x3E  // >
}

extension ByteBuffer {
  mutating func writeCRLF() {
    writeInteger(UInt16(0x0D0A))
  }

  mutating func writeLine(type: RESPType, _ text: String) {
    writeInteger(type.rawValue)
    writeString(text)
    writeCRLF()
  }

  mutating func writeBulkString(_ bytes: some Collection<UInt8>) {
    writeInteger(RESPType.bulkString.rawValue)
    writeDecimal(Int64(bytes.count))
    writeCRLF()
    writeBytes(bytes)
    writeCRLF()
  }

  mutating func writeAggregateHeader(type: RESPType, count: Int) {
    writeInteger(type.rawValue)
    writeDecimal(Int64(count))
    writeCRLF()
  }

  mutating func writeAggregate(type: RESPType, _ values: [RESPValue]) {
    writeAggregateHeader(type: type, count: values.count)
    for value in values { value.write(into: &self) }
  }

  mutating func writeEntries(type: RESPType, _ entries: [RESPValue.Entry]) {
    writeAggregateHeader(type: type, count: entries.count)
    for entry in entries {
      entry.key.write(into: &self)
      entry.value.write(into: &self)
    }
  }

  /// Writes the decimal digits of `value` without building a String: lengths and counts are
  /// written for every command on the hot path.
  mutating func writeDecimal(_ value: Int64) {
    if value >= 0 && value < 10 {
      writeInteger(UInt8(truncatingIfNeeded: value) &+ 0x30)
      return
    }
    if value < 0 { writeInteger(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digitCount = 1
    var probe = magnitude
    while probe >= 10 {
      probe /= 10
      digitCount += 1
    }
    writeWithUnsafeMutableBytes(minimumWritableBytes: digitCount) { target in
      var index = digitCount
      repeat {
        index -= 1
        target[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
        magnitude /= 10
      } while index > 0
      return digitCount
    }
  }
}
