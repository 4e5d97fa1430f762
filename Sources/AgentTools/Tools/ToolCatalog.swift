import MCP
import MarketCore

/// The tools the server offers, as one table: `tools/list` lists it and `tools/call` looks
/// names up in it. Arguments are checked against the tool's input schema before it runs.
struct ToolCatalog: Sendable {
  /// Every tool, in the order `tools/list` shows them.
  static let standard: [AgentTool] = [
    .getQuote, .getQuotes, .getHistory, .getProfile, .listImmortals, .getWatchlist, .setWatchlistSymbol, .providerStatus,
    .cacheStats,
  ]

  let tools: [AgentTool]
  private let byName: [String: AgentTool]
  let listing: ListTools.Result

  init(_ tools: [AgentTool] = Self.standard) {
    self.tools = tools
    self.byName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.listing = ListTools.Result(tools: tools.map(\.definition))
  }

  func tool(named name: String) -> AgentTool? { byName[name] }

  /// Runs one call: unknown tool or arguments that break the schema are invalid params (a
  /// JSON-RPC error); a mutating tool the caller may not use is an error result naming why.
  func call(
    _ parameters: Value, context: ToolContext, mutations: MutationGuard, request: HTTPRequest?
  ) async throws(MCPError) -> CallTool.Result {
    let params = try MethodParameters(parameters, method: CallTool.name)
    return try await call(
      name: try params.string("name"), arguments: try params.object("arguments") ?? [:], context: context,
      mutations: mutations, request: request)
  }

  func call(
    name: String, arguments: [String: Value], context: ToolContext, mutations: MutationGuard, request: HTTPRequest?
  ) async throws(MCPError) -> CallTool.Result {
    guard let tool = byName[name] else {
      throw .invalidParams("unknown tool \(Excerpt.printable(name)); known: \(tools.map(\.name).joined(separator: ", "))")
    }
    let violations = SchemaValidator.violations(of: .object(arguments), against: tool.inputSchema)
    if !violations.isEmpty {
      throw .invalidParams("\(tool.name): " + violations.prefix(5).map(\.description).joined(separator: "; "))
    }
    if tool.changesState, case .refused(let errorClass, let message) = mutations.decide(for: request) {
      return ToolAnswer.failure(class: errorClass, message: message).result
    }
    return try await tool.run(ToolArguments(values: arguments), context).result
  }
}
