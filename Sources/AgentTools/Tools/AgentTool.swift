import MCP
import MarketCore

/// One tool as the server offers it: what `tools/list` shows (name, schemas, annotations)
/// and what a call does. A tool is one value in ``ToolCatalog/standard``; adding one is
/// writing its value and listing it.
struct AgentTool: Sendable {
  var name: String
  var title: String
  var description: String
  var inputSchema: Value
  var outputSchema: Value
  /// True when a call changes state (a watchlist): such tools need the bearer token over HTTP
  /// whenever one is configured, like the API's mutating routes.
  var changesState: Bool
  var idempotent: Bool
  /// Runs a call whose arguments already passed `inputSchema`. Failures an agent should reason
  /// about come back as answers with `isError`; only argument errors throw (as invalid params).
  var run: @Sendable (ToolArguments, ToolContext) async throws(MCPError) -> ToolAnswer

  var definition: Tool {
    Tool(
      name: name, title: title, description: description, inputSchema: inputSchema,
      annotations: Tool.Annotations(
        title: title, readOnlyHint: !changesState, destructiveHint: changesState ? false : nil,
        idempotentHint: idempotent, openWorldHint: false),
      outputSchema: outputSchema)
  }
}

/// What a tool runs against.
struct ToolContext: Sendable {
  let core: MarketDataCore
  let configuration: AgentToolsConfiguration
}

/// A tool's answer: the structured content (valid against the tool's output schema unless it
/// is an error) and a short text rendering of it.
struct ToolAnswer: Sendable {
  var structured: Value
  var text: String
  var isError = false

  /// A failure the agent should reason about: `{"error": {"class", "message"}}`, `isError`.
  static func failure(class errorClass: String, message: String, extra: [String: Value] = [:]) -> ToolAnswer {
    var fields = extra
    fields["error"] = ErrorFields.value(class: errorClass, message: message)
    return ToolAnswer(structured: .object(fields), text: "\(errorClass): \(message)", isError: true)
  }

  static func failure(_ error: ReadError, symbol: String) -> ToolAnswer {
    failure(class: error.errorClass, message: error.description, extra: ["symbol": .string(symbol)])
  }

  var result: CallTool.Result {
    // `Optional` picks the plain initializer, not the generic one that re-encodes (and throws).
    CallTool.Result(
      content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Value?.some(structured), isError: isError)
  }
}

/// A call's arguments, already checked against the tool's input schema; the accessors still
/// refuse a wrong shape rather than trap, so a schema mistake is an error, never a crash.
struct ToolArguments: Sendable {
  let values: [String: Value]

  func string(_ name: String) throws(MCPError) -> String {
    guard case .string(let text)? = values[name] else { throw .invalidParams("\(name) must be a string") }
    return text
  }

  /// A member the schema lets a call leave out: nil when it is absent.
  func optionalString(_ name: String) throws(MCPError) -> String? {
    switch values[name] {
    case nil, .null?: return nil
    case .string(let text)?: return text
    default: throw .invalidParams("\(name) must be a string")
    }
  }

  /// A whole number the schema lets a call leave out (JSON may spell it `10.0`).
  func optionalInteger(_ name: String) throws(MCPError) -> Int? {
    switch values[name] {
    case nil, .null?: return nil
    case .int(let number)?: return number
    case .double(let number)? where number.rounded() == number && abs(number) < 1e15: return Int(number)
    default: throw .invalidParams("\(name) must be an integer")
    }
  }

  func bool(_ name: String) throws(MCPError) -> Bool {
    guard case .bool(let flag)? = values[name] else { throw .invalidParams("\(name) must be true or false") }
    return flag
  }

  func strings(_ name: String) throws(MCPError) -> [String] {
    guard case .array(let items)? = values[name] else { throw .invalidParams("\(name) must be an array of strings") }
    var texts: [String] = []
    texts.reserveCapacity(items.count)
    for item in items {
      guard case .string(let text) = item else { throw .invalidParams("\(name) must be an array of strings") }
      texts.append(text)
    }
    return texts
  }

  func immortal(_ name: String) throws(MCPError) -> ImmortalID {
    let text = try string(name)
    guard let id = ImmortalID(rawValue: text) else {
      throw .invalidParams(
        "\(name): no immortal \(Excerpt.printable(text)); known: \(ImmortalFields.identifiers.joined(separator: ", "))")
    }
    return id
  }
}

/// Client text that goes into a message: printable ASCII only, bounded, like the API's excerpts.
enum Excerpt {
  static func printable(_ text: some StringProtocol, limit: Int = 32) -> String {
    var result = ""
    for scalar in text.unicodeScalars.prefix(limit) {
      result.append(scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F ? Character(scalar) : "?")
    }
    return text.unicodeScalars.count > limit ? result + "…" : result
  }
}
