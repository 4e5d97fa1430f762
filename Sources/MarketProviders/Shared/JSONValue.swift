import Foundation

/// A parsed JSON document, kept loosely typed because providers are loose: the same field
/// arrives as a number, a numeric string, `"N/A"` or null depending on the day.
///
/// Integers that fit are kept exactly as `Int64` (Polygon's nanosecond timestamps exceed
/// 2^53, where a `Double` would round them).
public enum JSONValue: Hashable, Sendable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Parses a whole body; throws on anything that is not one well-formed JSON value.
  public init(parsing body: [UInt8]) throws {
    self = try JSONDecoder().decode(JSONValue.self, from: Data(body))
  }

  /// The member `key` of an object; nil for a missing key or a non-object.
  public subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// The element at `index` of an array; nil when out of range or not an array.
  public subscript(index: Int) -> JSONValue? {
    if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
    return nil
  }

  public var isNull: Bool { self == .null }

  public var objectValue: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The text of a string value (not of a number).
  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// A finite number from a number or a numeric string (`"112.1300"`, `"-0.5852%"`); nil for
  /// null, `"N/A"`, `"NaN"`, `"Infinity"` and anything else that is not plainly a number.
  public var doubleValue: Double? {
    switch self {
    case .integer(let value): return Double(value)
    case .number(let value): return value.isFinite ? value : nil
    case .string(let text): return NumberParsing.decimal(text)
    default: return nil
    }
  }

  /// An exact integer from an integer, an integral number within range, or a digit string.
  public var int64Value: Int64? {
    switch self {
    case .integer(let value): return value
    case .number(let value): return NumberParsing.exactInt64(value)
    case .string(let text): return NumberParsing.integer(text)
    default: return nil
    }
  }
}

extension JSONValue: Decodable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }
}
