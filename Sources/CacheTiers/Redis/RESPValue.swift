import NIOCore

/// One value of the Redis serialisation protocol (RESP2 and RESP3) as it travels on the wire.
///
/// Byte payloads stay `ByteBuffer` slices of what was read, so a reply is not copied until a
/// caller asks for bytes or text.
public enum RESPValue: Sendable, Hashable {
  /// `+`: one line of text, such as `OK`.
  case simpleString(String)
  /// `-`: an error reply on one line, such as `ERR unknown command`.
  case simpleError(String)
  /// `:`: a signed 64-bit integer.
  case integer(Int64)
  /// `$`: binary-safe bytes; `nil` is RESP2's null bulk string (`$-1`).
  case bulkString(ByteBuffer?)
  /// `*`: ordered values; `nil` is RESP2's null array (`*-1`).
  case array([RESPValue]?)
  /// `_`: RESP3's single null.
  case null
  /// `#`: RESP3 `t` or `f`.
  case boolean(Bool)
  /// `,`: RESP3 floating point, including `inf`, `-inf` and `nan`.
  case double(Double)
  /// `(`: RESP3 integer beyond 64 bits, kept as its decimal text.
  case bigNumber(String)
  /// `!`: RESP3 error reply that may span lines.
  case bulkError(String)
  /// `=`: RESP3 text tagged with its three-character format (`txt`, `mkd`).
  case verbatimString(format: String, text: ByteBuffer)
  /// `%`: RESP3 key-value pairs in the order the server sent them.
  case map([Entry])
  /// `~`: RESP3 unordered distinct values, in the order the server sent them.
  case set([RESPValue])
  /// `>`: RESP3 out-of-band data (pub/sub messages, tracking invalidations), never a reply.
  case push([RESPValue])
  /// A value with the RESP3 attributes (`|`) sent before it, when the decoder keeps them.
  indirect case attributed(RESPValue, attributes: [Entry])

  /// One key-value pair of a map or of attributes.
  public struct Entry: Sendable, Hashable {
    public var key: RESPValue
    public var value: RESPValue

    public init(key: RESPValue, value: RESPValue) {
      self.key = key
      self.value = value
    }
  }
}

extension RESPValue {
  /// Text of a simple string, bulk string or verbatim string (invalid UTF-8 repaired).
  public var string: String? {
    switch self {
    case .simpleString(let text): text
    case .bulkString(let bytes?): String(buffer: bytes)
    case .verbatimString(_, let text): String(buffer: text)
    case .attributed(let value, _): value.string
    default: nil
    }
  }

  /// Bytes of a bulk string, simple string or verbatim string.
  public var bytes: [UInt8]? {
    switch self {
    case .bulkString(let bytes?): Array(bytes.readableBytesView)
    case .simpleString(let text): Array(text.utf8)
    case .verbatimString(_, let text): Array(text.readableBytesView)
    case .attributed(let value, _): value.bytes
    default: nil
    }
  }

  /// Value of an integer reply.
  public var integer: Int64? {
    switch self {
    case .integer(let value): value
    case .attributed(let value, _): value.integer
    default: nil
    }
  }

  /// Elements of an array, set or push.
  public var elements: [RESPValue]? {
    switch self {
    case .array(let values?), .set(let values), .push(let values): values
    case .attributed(let value, _): value.elements
    default: nil
    }
  }

  /// Message of an error reply, simple or bulk.
  public var errorMessage: String? {
    switch self {
    case .simpleError(let message), .bulkError(let message): message
    case .attributed(let value, _): value.errorMessage
    default: nil
    }
  }

  /// Whether this is a null in either protocol version (`_`, `$-1`, `*-1`).
  public var isNull: Bool {
    switch self {
    case .null, .bulkString(nil), .array(nil): true
    case .attributed(let value, _): value.isNull
    default: false
    }
  }

  /// The type's name for error messages that must not quote a payload.
  var kindName: String {
    switch self {
    case .simpleString: "simple string"
    case .simpleError: "simple error"
    case .integer: "integer"
    case .bulkString(nil): "null bulk string"
    case .bulkString: "bulk string"
    case .array(nil): "null array"
    case .array: "array"
    case .null: "null"
    case .boolean: "boolean"
    case .double: "double"
    case .bigNumber: "big number"
    case .bulkError: "bulk error"
    case .verbatimString: "verbatim string"
    case .map: "map"
    case .set: "set"
    case .push: "push"
    case .attributed(let value, _): value.kindName
    }
  }
}
