import MCP

// The SDK decodes a request's params into the method's typed `Parameters`; when that fails
// (`"arguments": "x"`, `"uri": 5`), the client gets an internal error (-32603) carrying a
// Swift decoding message. These methods have the same names as the SDK's but take their params
// as a plain JSON value, so a malformed one is read by us and answered as invalid params
// (-32602), which is what a client can act on. Results are the SDK's types.

/// `tools/call`.
enum CallToolMethod: Method {
  static let name = CallTool.name
  typealias Parameters = Value
  typealias Result = CallTool.Result
}

/// `resources/read`.
enum ReadResourceMethod: Method {
  static let name = ReadResource.name
  typealias Parameters = Value
  typealias Result = ReadResource.Result
}

/// `resources/subscribe`.
enum SubscribeMethod: Method {
  static let name = ResourceSubscribe.name
  typealias Parameters = Value
  typealias Result = Empty
}

/// `resources/unsubscribe`.
enum UnsubscribeMethod: Method {
  static let name = ResourceUnsubscribe.name
  typealias Parameters = Value
  typealias Result = Empty
}

/// `prompts/get`.
enum GetPromptMethod: Method {
  static let name = GetPrompt.name
  typealias Parameters = Value
  typealias Result = GetPrompt.Result
}

/// Reading params given as a plain value.
struct MethodParameters {
  let method: String
  let members: [String: Value]

  init(_ value: Value, method: String) throws(MCPError) {
    guard case .object(let members) = value else { throw .invalidParams("\(method): params must be an object") }
    self.method = method
    self.members = members
  }

  func string(_ name: String) throws(MCPError) -> String {
    guard case .string(let text)? = members[name] else { throw .invalidParams("\(method): \(name) must be a string") }
    return text
  }

  /// An optional object member; nil when absent or null.
  func object(_ name: String) throws(MCPError) -> [String: Value]? {
    switch members[name] {
    case nil, .null?: return nil
    case .object(let object)?: return object
    default: throw .invalidParams("\(method): \(name) must be an object")
    }
  }
}
