import NIOCore

/// Turns bytes from a Redis server into ``RESPValue``s, however the bytes are split.
///
/// Sans-I/O: ``feed(_:)`` what arrived, then call ``next()`` until it returns `nil`. Scalars
/// and aggregate headers are consumed only once complete, and partly received aggregates wait
/// on a stack, so no byte is parsed twice and a frame split at any boundary decodes the same.
/// Every size a server announces is checked against ``Limits`` before anything is allocated
/// for it. The first malformed byte makes the decoder fail for good: RESP has no way to find
/// the next value again, so the caller closes the connection.
public struct RESPDecoder: Sendable {
  /// What a server may send before the decoder refuses it.
  public struct Limits: Sendable, Hashable {
    /// Longest bulk string, bulk error or verbatim string payload.
    public var maximumBulkLength: Int
    /// Most elements one aggregate may announce (pairs, for maps and attributes).
    public var maximumAggregateCount: Int
    /// Deepest nesting of aggregates (attributes included).
    public var maximumDepth: Int
    /// Longest line of a simple string, simple error, number or header.
    public var maximumLineLength: Int
    /// Most bytes one top-level value may take on the wire, all its elements included.
    public var maximumValueBytes: Int

    public init(
      maximumBulkLength: Int = 16 << 20, maximumAggregateCount: Int = 1 << 20, maximumDepth: Int = 32,
      maximumLineLength: Int = 64 << 10, maximumValueBytes: Int = 16 << 20
    ) {
      self.maximumBulkLength = maximumBulkLength
      self.maximumAggregateCount = maximumAggregateCount
      self.maximumDepth = maximumDepth
      self.maximumLineLength = maximumLineLength
      self.maximumValueBytes = maximumValueBytes
    }
  }

  /// What to do with RESP3 attributes (`|`), which qualify the value after them.
  public enum AttributeHandling: Sendable, Hashable {
    /// Parse and drop them: no command we send asks for them.
    case skip
    /// Return the value as ``RESPValue/attributed(_:attributes:)``.
    case keep
  }

  public let limits: Limits
  public let attributeHandling: AttributeHandling

  private var buffer = ByteBuffer()
  private var stack: [PartialAggregate] = []
  /// Bytes consumed so far for the top-level value being decoded.
  private var valueBytes = 0
  private var failure: RESPDecodingError?

  public init(limits: Limits = Limits(), attributes: AttributeHandling = .skip) {
    self.limits = limits
    self.attributeHandling = attributes
  }

  /// Bytes received but not yet part of a returned value.
  public var bufferedByteCount: Int { buffer.readableBytes }

  /// Appends bytes as they arrived from the connection.
  public mutating func feed(_ bytes: ByteBuffer) {
    if buffer.readableBytes == 0 {
      // The usual case (replies end where reads end): take the read buffer as it is.
      buffer = bytes
      return
    }
    // Only the unparsed tail of one token moves, so this stays linear in the bytes received.
    buffer.discardReadBytes()
    var bytes = bytes
    buffer.writeBuffer(&bytes)
  }

  /// The next complete value, or `nil` until more bytes arrive.
  public mutating func next() throws(RESPDecodingError) -> RESPValue? {
    if let failure { throw failure }
    do {
      return try decodeNext()
    } catch {
      failure = error
      throw error
    }
  }

  /// Feeds `bytes` and returns every value they complete.
  public mutating func decode(_ bytes: ByteBuffer) throws(RESPDecodingError) -> [RESPValue] {
    feed(bytes)
    var values: [RESPValue] = []
    while let value = try next() { values.append(value) }
    return values
  }

  private mutating func decodeNext() throws(RESPDecodingError) -> RESPValue? {
    while let token = try readToken() {
      switch token {
      case .value(let value):
        if let topLevel = fold(value) { return topLevel }
      case .aggregate(let kind, let count):
        guard stack.count < limits.maximumDepth else { throw .depthExceedsLimit(maximum: limits.maximumDepth) }
        let expected = kind.isKeyed ? count * 2 : count
        if expected == 0 {
          if kind == .attribute {
            stack.append(PartialAggregate(kind: .attributedValue, remaining: 1))
          } else if let topLevel = fold(PartialAggregate(kind: kind, remaining: 0).value(keepingAttributes: false)) {
            return topLevel
          }
        } else {
          // Reserve no more than a small amount up front: the count is the server's word,
          // the bytes are not here yet.
          stack.append(PartialAggregate(kind: kind, remaining: expected, capacity: min(expected, 1024)))
        }
      }
    }
    return nil
  }

  /// Hands a completed value up through every aggregate it completes; the top-level value
  /// when the stack empties.
  private mutating func fold(_ value: RESPValue) -> RESPValue? {
    var completed = value
    while let top = stack.indices.last {
      stack[top].elements.append(completed)
      stack[top].remaining -= 1
      if stack[top].remaining > 0 { return nil }
      let finished = stack.removeLast()
      if finished.kind == .attribute {
        stack.append(PartialAggregate(kind: .attributedValue, remaining: 1, attributes: finished.entries))
        return nil
      }
      completed = finished.value(keepingAttributes: attributeHandling == .keep)
    }
    valueBytes = 0
    return completed
  }

  private enum Token {
    case value(RESPValue)
    case aggregate(AggregateKind, count: Int)
  }

  /// Consumes one scalar or aggregate header at the reader index, or nothing (and returns
  /// `nil`) while it is incomplete.
  private mutating func readToken() throws(RESPDecodingError) -> Token? {
    let start = buffer.readerIndex
    guard let typeByte = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
    guard let type = RESPType(rawValue: typeByte) else { throw .invalidTypeByte(typeByte) }
    guard let lineLength = try lineLength() else { return nil }
    let lineStart = start + 1
    let payloadStart = lineStart + lineLength + 2
    var consumed = 1 + lineLength + 2
    let token: Token
    switch type {
    case .simpleString:
      token = .value(.simpleString(text(at: lineStart, length: lineLength)))
    case .simpleError:
      token = .value(.simpleError(text(at: lineStart, length: lineLength)))
    case .integer:
      guard let value = integer(at: lineStart, length: lineLength) else { throw .invalidInteger }
      token = .value(.integer(value))
    case .null:
      guard lineLength == 0 else { throw .invalidNull }
      token = .value(.null)
    case .boolean:
      switch lineLength == 1 ? buffer.getInteger(at: lineStart, as: UInt8.self) : nil {
      case UInt8(ascii: "t"): token = .value(.boolean(true))
      case UInt8(ascii: "f"): token = .value(.boolean(false))
      default: throw .invalidBoolean
      }
    case .double:
      guard let value = Double(text(at: lineStart, length: lineLength)) else { throw .invalidDouble }
      token = .value(.double(value))
    case .bigNumber:
      guard isSignedDigits(at: lineStart, length: lineLength) else { throw .invalidBigNumber }
      token = .value(.bigNumber(text(at: lineStart, length: lineLength)))
    case .bulkString, .bulkError, .verbatimString:
      let length = try self.length(at: lineStart, count: lineLength, allowsNull: type == .bulkString)
      guard length >= 0 else {
        token = .value(.bulkString(nil))
        break
      }
      guard length <= limits.maximumBulkLength else { throw .bulkLengthExceedsLimit(maximum: limits.maximumBulkLength) }
      consumed += length + 2
      guard valueBytes + consumed <= limits.maximumValueBytes else {
        throw .valueSizeExceedsLimit(maximum: limits.maximumValueBytes)
      }
      guard buffer.readableBytes >= consumed, let payload = buffer.getSlice(at: payloadStart, length: length) else {
        return nil
      }
      guard buffer.getInteger(at: payloadStart + length, as: UInt16.self) == 0x0D0A else { throw .missingCRLF }
      switch type {
      case .bulkError:
        token = .value(.bulkError(String(buffer: payload)))
      case .verbatimString:
        // The format is three ASCII characters (`txt`, `mkd`); anything else could not be
        // written back as three bytes.
        guard length >= 4, buffer.getInteger(at: payloadStart + 3, as: UInt8.self) == UInt8(ascii: ":"),
          buffer.getBytes(at: payloadStart, length: 3)?.allSatisfy({ (0x21...0x7E).contains($0) }) == true,
          let text = buffer.getSlice(at: payloadStart + 4, length: length - 4)
        else { throw .invalidVerbatimString }
        token = .value(.verbatimString(format: self.text(at: payloadStart, length: 3), text: text))
      default:
        token = .value(.bulkString(payload))
      }
    case .array, .set, .push, .map, .attribute:
      let count = try self.length(at: lineStart, count: lineLength, allowsNull: type == .array)
      guard count >= 0 else {
        token = .value(.array(nil))
        break
      }
      guard count <= limits.maximumAggregateCount else {
        throw .aggregateCountExceedsLimit(maximum: limits.maximumAggregateCount)
      }
      token = .aggregate(AggregateKind(type), count: count)
    }
    valueBytes += consumed
    guard valueBytes <= limits.maximumValueBytes else { throw .valueSizeExceedsLimit(maximum: limits.maximumValueBytes) }
    buffer.moveReaderIndex(forwardBy: consumed)
    return token
  }

  /// Length of the line after the type byte, up to its CR LF; `nil` while the CR LF has not
  /// arrived. A bare CR or LF is an error at once rather than a wait for bytes that may never come.
  private func lineLength() throws(RESPDecodingError) -> Int? {
    let maximum = limits.maximumLineLength
    let scanned: Result<Int?, RESPDecodingError> = buffer.withUnsafeReadableBytes { bytes in
      // bytes[0] is the type byte; a line of the maximum length has its CR at maximum + 1.
      let scanEnd = min(bytes.count, maximum + 2)
      var index = 1
      while index < scanEnd {
        switch bytes[index] {
        case 0x0D:
          guard index + 1 < bytes.count else { return .success(nil) }
          return bytes[index + 1] == 0x0A ? .success(index - 1) : .failure(.missingCRLF)
        case 0x0A:
          return .failure(.missingCRLF)
        default:
          index += 1
        }
      }
      return bytes.count >= maximum + 2 ? .failure(.lineLengthExceedsLimit(maximum: maximum)) : .success(nil)
    }
    return try scanned.get()
  }

  private func text(at index: Int, length: Int) -> String {
    buffer.getString(at: index, length: length) ?? ""
  }

  /// A length or count: digits, or `-1` where RESP2 allows a null (returned as -1).
  private func length(at index: Int, count: Int, allowsNull: Bool) throws(RESPDecodingError) -> Int {
    guard count > 0, buffer.getInteger(at: index, as: UInt8.self) != UInt8(ascii: "+"),
      let value = integer(at: index, length: count), value >= -1, value <= Int64(Int.max)
    else { throw .invalidLength }
    guard value >= 0 || allowsNull else { throw .invalidLength }
    return Int(value)
  }

  /// An optionally signed decimal that fits 64 bits.
  private func integer(at index: Int, length: Int) -> Int64? {
    guard length > 0 else { return nil }
    return buffer.withUnsafeReadableBytes { bytes -> Int64? in
      var position = index - buffer.readerIndex
      let end = position + length
      let isNegative = bytes[position] == UInt8(ascii: "-")
      if isNegative || bytes[position] == UInt8(ascii: "+") { position += 1 }
      guard position < end else { return nil }
      var value: Int64 = 0
      while position < end {
        let digit = bytes[position] &- 0x30
        guard digit < 10 else { return nil }
        let (shifted, shiftOverflow) = value.multipliedReportingOverflow(by: 10)
        let (next, addOverflow) =
          isNegative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
        guard !shiftOverflow, !addOverflow else { return nil }
        value = next
        position += 1
      }
      return value
    }
  }

  private func isSignedDigits(at index: Int, length: Int) -> Bool {
    guard length > 0, let bytes = buffer.getBytes(at: index, length: length) else { return false }
    let digits = bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") ? bytes.dropFirst() : bytes[...]
    return !digits.isEmpty && digits.allSatisfy { $0 &- 0x30 < 10 }
  }
}

extension RESPDecoder {
  fileprivate enum AggregateKind: Sendable {
    case array, set, push, map, attribute
    /// The value after an attribute, which the attribute qualifies.
    case attributedValue

    init(_ type: RESPType) {
      switch type {
      case .set: self = .set
      case .push: self = .push
      case .map: self = .map
      case .attribute: self = .attribute
      default: self = .array
      }
    }

    var isKeyed: Bool { self == .map || self == .attribute }
  }

  /// An aggregate whose elements are still arriving.
  fileprivate struct PartialAggregate: Sendable {
    var kind: AggregateKind
    var remaining: Int
    var elements: [RESPValue] = []
    var attributes: [RESPValue.Entry] = []

    init(kind: AggregateKind, remaining: Int, capacity: Int = 0, attributes: [RESPValue.Entry] = []) {
      self.kind = kind
      self.remaining = remaining
      self.attributes = attributes
      elements.reserveCapacity(capacity)
    }

    /// Elements taken two by two, for maps and attributes.
    var entries: [RESPValue.Entry] {
      var entries: [RESPValue.Entry] = []
      entries.reserveCapacity(elements.count / 2)
      var index = 0
      while index + 1 < elements.count {
        entries.append(RESPValue.Entry(key: elements[index], value: elements[index + 1]))
        index += 2
      }
      return entries
    }

    func value(keepingAttributes: Bool) -> RESPValue {
      switch kind {
      case .array: .array(elements)
      case .set: .set(elements)
      case .push: .push(elements)
      case .map, .attribute: .map(entries)
      case .attributedValue:
        if let value = elements.first {
          keepingAttributes ? .attributed(value, attributes: attributes) : value
        } else {
          .null
        }
      }
    }
  }
}
