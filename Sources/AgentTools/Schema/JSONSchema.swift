import MCP

/// Builds the JSON Schemas that describe tool inputs and outputs, as `Value`s the SDK sends
/// verbatim. Only the subset ``SchemaValidator`` checks is offered, so every schema we publish
/// is one we can also enforce.
enum JSONSchema {
  static func object(
    _ properties: [String: Value], required: [String] = [], additionalProperties: Bool = false, description: String? = nil
  ) -> Value {
    var schema: [String: Value] = [
      "type": "object",
      "properties": .object(properties),
      "additionalProperties": .bool(additionalProperties),
    ]
    if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
    if let description { schema["description"] = .string(description) }
    return .object(schema)
  }

  static func string(
    _ description: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, oneOf choices: [String]? = nil,
    nullable: Bool = false
  ) -> Value {
    var schema: [String: Value] = ["type": nullable ? ["string", "null"] : "string"]
    if let description { schema["description"] = .string(description) }
    if let minLength { schema["minLength"] = .int(minLength) }
    if let maxLength { schema["maxLength"] = .int(maxLength) }
    if let choices { schema["enum"] = .array(choices.map { .string($0) }) }
    return .object(schema)
  }

  static func number(_ description: String? = nil, minimum: Double? = nil, nullable: Bool = false) -> Value {
    var schema: [String: Value] = ["type": nullable ? ["number", "null"] : "number"]
    if let description { schema["description"] = .string(description) }
    // Whole bounds as integers, as they read back from JSON (`0`, not `0.0`).
    if let minimum { schema["minimum"] = minimum == minimum.rounded() ? .int(Int(minimum)) : .double(minimum) }
    return .object(schema)
  }

  static func integer(
    _ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil, defaultValue: Int? = nil, nullable: Bool = false
  ) -> Value {
    var schema: [String: Value] = ["type": nullable ? ["integer", "null"] : "integer"]
    if let description { schema["description"] = .string(description) }
    if let minimum { schema["minimum"] = .int(minimum) }
    if let maximum { schema["maximum"] = .int(maximum) }
    if let defaultValue { schema["default"] = .int(defaultValue) }
    return .object(schema)
  }

  static func boolean(_ description: String? = nil) -> Value {
    var schema: [String: Value] = ["type": "boolean"]
    if let description { schema["description"] = .string(description) }
    return .object(schema)
  }

  static func array(_ items: Value, minItems: Int? = nil, maxItems: Int? = nil, description: String? = nil) -> Value {
    var schema: [String: Value] = ["type": "array", "items": items]
    if let minItems { schema["minItems"] = .int(minItems) }
    if let maxItems { schema["maxItems"] = .int(maxItems) }
    if let description { schema["description"] = .string(description) }
    return .object(schema)
  }

  /// An object schema that may also be absent (`null`), e.g. a quote a watchlist entry lacks.
  static func nullable(_ schema: Value) -> Value {
    guard case .object(var fields) = schema else { return schema }
    if case .string(let type)? = fields["type"] { fields["type"] = [.string(type), "null"] }
    return .object(fields)
  }
}
