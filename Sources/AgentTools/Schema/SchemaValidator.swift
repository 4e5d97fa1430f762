import MCP

/// Checks a value against the subset of JSON Schema our tools publish: `type` (one or a list),
/// `properties`, `required`, `additionalProperties: false`, `items`, `minItems`/`maxItems`,
/// `minLength`/`maxLength`, `enum`, `minimum`/`maximum` (`default` is for
/// clients to read; nothing checks it). Tool arguments are checked with it before any
/// tool runs (a violation is a JSON-RPC invalid-params error), and the tests check every
/// result against its tool's output schema with it.
public enum SchemaValidator {
  /// One way a value breaks a schema: where (`symbols[3]`, `quote.price`) and why.
  public struct Violation: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
  }

  /// Every violation, in document order; empty when the value conforms.
  public static func violations(of value: Value, against schema: Value) -> [Violation] {
    var found: [Violation] = []
    check(value, schema, path: "", into: &found)
    return found
  }

  private static func check(_ value: Value, _ schema: Value, path: String, into found: inout [Violation]) {
    guard case .object(let rules) = schema else { return }
    if let type = rules["type"] {
      let allowed: [String] =
        switch type {
        case .string(let name): [name]
        case .array(let names): names.compactMap(\.stringValue)
        default: []
        }
      guard allowed.contains(where: { matches(value, type: $0) }) else {
        found.append(Violation(path: path, reason: "expected \(allowed.joined(separator: " or ")), got \(typeName(value))"))
        return
      }
    }
    if case .array(let choices)? = rules["enum"], !choices.contains(value) {
      let names = choices.compactMap(\.stringValue).joined(separator: ", ")
      found.append(Violation(path: path, reason: "must be one of \(names)"))
    }
    switch value {
    case .object(let members): checkObject(members, rules, path: path, into: &found)
    case .array(let elements): checkArray(elements, rules, path: path, into: &found)
    case .string(let text):
      let length = text.unicodeScalars.count
      if let minimum = rules["minLength"]?.intValue, length < minimum {
        found.append(Violation(path: path, reason: "shorter than \(minimum) characters"))
      }
      if let maximum = rules["maxLength"]?.intValue, length > maximum {
        found.append(Violation(path: path, reason: "longer than \(maximum) characters"))
      }
    case .int(let number): checkBounds(Double(number), rules, path: path, into: &found)
    case .double(let number): checkBounds(number, rules, path: path, into: &found)
    default: break
    }
  }

  private static func checkObject(
    _ members: [String: Value], _ rules: [String: Value], path: String, into found: inout [Violation]
  ) {
    let properties = rules["properties"]?.objectValue ?? [:]
    for case .string(let name) in rules["required"]?.arrayValue ?? [] where members[name] == nil {
      found.append(Violation(path: join(path, name), reason: "is required"))
    }
    for name in members.keys.sorted() {
      guard let member = members[name] else { continue }
      if let propertySchema = properties[name] {
        check(member, propertySchema, path: join(path, name), into: &found)
      } else if rules["additionalProperties"] == .bool(false) {
        found.append(Violation(path: join(path, name), reason: "is not an allowed property"))
      }
    }
  }

  private static func checkArray(_ elements: [Value], _ rules: [String: Value], path: String, into found: inout [Violation]) {
    if let minimum = rules["minItems"]?.intValue, elements.count < minimum {
      found.append(Violation(path: path, reason: "needs at least \(minimum) items, got \(elements.count)"))
    }
    if let maximum = rules["maxItems"]?.intValue, elements.count > maximum {
      found.append(Violation(path: path, reason: "takes at most \(maximum) items, got \(elements.count)"))
    }
    guard let items = rules["items"] else { return }
    for (index, element) in elements.enumerated() {
      check(element, items, path: "\(path)[\(index)]", into: &found)
    }
  }

  private static func checkBounds(_ number: Double, _ rules: [String: Value], path: String, into found: inout [Violation]) {
    if let minimum = bound(rules["minimum"]), number < minimum {
      found.append(Violation(path: path, reason: "is below the minimum \(minimum)"))
    }
    if let maximum = bound(rules["maximum"]), number > maximum {
      found.append(Violation(path: path, reason: "is above the maximum \(maximum)"))
    }
  }

  private static func bound(_ rule: Value?) -> Double? {
    switch rule {
    case .int(let bound)?: Double(bound)
    case .double(let bound)?: bound
    default: nil
    }
  }

  private static func matches(_ value: Value, type: String) -> Bool {
    switch (type, value) {
    case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
    case ("integer", .int): true
    case ("integer", .double(let number)): number.rounded() == number && number.isFinite
    case ("number", .int): true
    case ("number", .double(let number)): number.isFinite
    default: false
    }
  }

  private static func typeName(_ value: Value) -> String {
    switch value {
    case .null: "null"
    case .bool: "boolean"
    case .int: "integer"
    case .double: "number"
    case .string: "string"
    case .data: "data"
    case .array: "array"
    case .object: "object"
    }
  }

  private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
