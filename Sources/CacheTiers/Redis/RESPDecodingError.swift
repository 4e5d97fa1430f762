/// Why bytes from a server are not RESP, or are more than we accept. After one of these the
/// byte stream cannot be trusted: the decoder keeps failing and the connection is closed.
public enum RESPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A value began with a byte that is no RESP type.
  case invalidTypeByte(UInt8)
  /// A length or count was not a decimal number, or negative other than the RESP2 null `-1`.
  case invalidLength
  /// An integer (`:`) was not a decimal 64-bit number.
  case invalidInteger
  /// A double (`,`) was not a number, `inf`, `-inf` or `nan`.
  case invalidDouble
  /// A boolean (`#`) was neither `t` nor `f`.
  case invalidBoolean
  /// A big number (`(`) was not an optionally signed run of digits.
  case invalidBigNumber
  /// A null (`_`) carried data.
  case invalidNull
  /// A verbatim string (`=`) did not start with a three-character format and a colon.
  case invalidVerbatimString
  /// A line or a payload was not ended by CR LF.
  case missingCRLF
  /// A bulk payload announced more bytes than the limit.
  case bulkLengthExceedsLimit(maximum: Int)
  /// An aggregate announced more elements than the limit.
  case aggregateCountExceedsLimit(maximum: Int)
  /// Aggregates nested deeper than the limit.
  case depthExceedsLimit(maximum: Int)
  /// A line ran past the limit without its CR LF.
  case lineLengthExceedsLimit(maximum: Int)
  /// One top-level value, all its elements included, would take more bytes than the limit.
  case valueSizeExceedsLimit(maximum: Int)

  public var description: String {
    switch self {
    case .invalidTypeByte(let byte): "invalid RESP type byte 0x\(String(byte, radix: 16))"
    case .invalidLength: "invalid RESP length"
    case .invalidInteger: "invalid RESP integer"
    case .invalidDouble: "invalid RESP double"
    case .invalidBoolean: "invalid RESP boolean"
    case .invalidBigNumber: "invalid RESP big number"
    case .invalidNull: "invalid RESP null"
    case .invalidVerbatimString: "invalid RESP verbatim string"
    case .missingCRLF: "RESP line or payload not ended by CR LF"
    case .bulkLengthExceedsLimit(let maximum): "RESP bulk payload longer than \(maximum) bytes"
    case .aggregateCountExceedsLimit(let maximum): "RESP aggregate with more than \(maximum) elements"
    case .depthExceedsLimit(let maximum): "RESP aggregates nested deeper than \(maximum)"
    case .lineLengthExceedsLimit(let maximum): "RESP line longer than \(maximum) bytes"
    case .valueSizeExceedsLimit(let maximum): "RESP value larger than \(maximum) bytes"
    }
  }
}
