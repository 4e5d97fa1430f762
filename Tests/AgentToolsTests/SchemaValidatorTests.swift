import MCP
import Testing

@testable import AgentTools

@Suite("The JSON Schema subset every tool schema uses")
struct SchemaValidatorTests {
  let schema = JSONSchema.object(
    [
      "symbol": JSONSchema.string(minLength: 1, maxLength: 4),
      "price": JSONSchema.number(minimum: 0),
      "volume": JSONSchema.integer(nullable: true),
      "count": JSONSchema.integer(minimum: 0, maximum: 10),
      "side": JSONSchema.string(oneOf: ["buy", "sell"]),
      "tags": JSONSchema.array(JSONSchema.string(), minItems: 1, maxItems: 2),
    ],
    required: ["symbol", "price"])

  @Test("a conforming value has no violations")
  func conforming() {
    let value: Value = ["symbol": "AAPL", "price": 1.5, "volume": nil, "count": 10, "side": "buy", "tags": ["a"]]
    #expect(SchemaValidator.violations(of: value, against: schema).isEmpty)
    #expect(SchemaValidator.violations(of: ["symbol": "A", "price": 3], against: schema).isEmpty, "an integer is a number")
  }

  static let broken: [(Value, String)] = [
    (["price": 1], "symbol: is required"),
    (["symbol": "AAPL", "price": "1"], "price: expected number, got string"),
    (["symbol": "", "price": 1], "symbol: shorter than 1 characters"),
    (["symbol": "TOOLONG", "price": 1], "symbol: longer than 4 characters"),
    (["symbol": "A", "price": -1], "price: is below the minimum 0.0"),
    (["symbol": "A", "price": 1, "volume": 1.5], "volume: expected integer or null, got number"),
    (["symbol": "A", "price": 1, "count": 11], "count: is above the maximum 10.0"),
    (["symbol": "A", "price": 1, "count": -1], "count: is below the minimum 0.0"),
    (["symbol": "A", "price": 1, "side": "hold"], "side: must be one of buy, sell"),
    (["symbol": "A", "price": 1, "tags": []], "tags: needs at least 1 items, got 0"),
    (["symbol": "A", "price": 1, "tags": ["a", "b", "c"]], "tags: takes at most 2 items, got 3"),
    (["symbol": "A", "price": 1, "tags": [1]], "tags[0]: expected string, got integer"),
    (["symbol": "A", "price": 1, "other": true], "other: is not an allowed property"),
    ("AAPL", "expected object, got string"),
  ]

  @Test("each rule is enforced, with the path of the offending member", arguments: broken)
  func violations(value: Value, expected: String) {
    #expect(SchemaValidator.violations(of: value, against: schema).map(\.description) == [expected])
  }
}
