import Logging
import MCP
import MarketCore

/// The agents' MCP server over the core: tools, resources with subscriptions, and prompts,
/// independent of the transport. Each connection is an ``AgentSession``: `lianyaohu mcp` runs
/// one over stdio, the control API one per Streamable HTTP session at `/mcp`.
public final class AgentTools: Sendable {
  public let core: MarketDataCore
  public let configuration: AgentToolsConfiguration
  let catalog: ToolCatalog

  public init(core: MarketDataCore, configuration: AgentToolsConfiguration = AgentToolsConfiguration()) {
    self.core = core
    self.configuration = configuration
    self.catalog = ToolCatalog()
  }

  /// The names of the tools offered, in `tools/list` order.
  public var toolNames: [String] { catalog.tools.map(\.name) }

  /// A session with every handler registered, not yet started; `mutations` decides who may
  /// call tools that change state.
  public func makeSession(mutations: MutationGuard = .open) async -> AgentSession {
    let server = Server(
      name: configuration.name, version: configuration.version, title: "炼妖壶 Lianyaohu market data",
      instructions: configuration.instructions,
      capabilities: Server.Capabilities(
        prompts: .init(listChanged: false), resources: .init(subscribe: true, listChanged: false),
        tools: .init(listChanged: false)),
      // Not `.strict`: the SDK's strict check throws outside the handler and its dispatch
      // swallows the error, so a request racing `initialize` would never be answered at all.
      configuration: .default)
    let subscriptions = ResourceSubscriptions(
      core: core, interval: configuration.updateInterval, bufferSize: configuration.eventBufferSize
    ) { [weak server] uri in
      try? await server?.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
    }
    await register(on: server, subscriptions: subscriptions, mutations: mutations)
    let catalog = catalog
    let context = ToolContext(core: core, configuration: configuration)
    return AgentSession(server: server, subscriptions: subscriptions) { name, arguments, request throws(MCPError) in
      try await catalog.call(name: name, arguments: arguments, context: context, mutations: mutations, request: request)
    }
  }

  private func register(on server: Server, subscriptions: ResourceSubscriptions, mutations: MutationGuard) async {
    let catalog = catalog
    let context = ToolContext(core: core, configuration: configuration)
    let core = core
    await server.withMethodHandler(ListTools.self) { _ in catalog.listing }
    await server.withMethodHandler(CallToolMethod.self) { parameters in
      try await catalog.call(
        parameters, context: context, mutations: mutations, request: Server.currentHandlerContext?.httpContext)
    }
    await server.withMethodHandler(ListResources.self) { _ in ResourceCatalog.listing }
    await server.withMethodHandler(ListResourceTemplates.self) { _ in ResourceCatalog.templates }
    await server.withMethodHandler(ReadResourceMethod.self) { parameters in
      try await ResourceCatalog.read(try MethodParameters(parameters, method: ReadResource.name).string("uri"), core: core)
    }
    await server.withMethodHandler(SubscribeMethod.self) { parameters in
      try subscriptions.subscribe(try MethodParameters(parameters, method: ResourceSubscribe.name).string("uri"))
      return Empty()
    }
    await server.withMethodHandler(UnsubscribeMethod.self) { parameters in
      try subscriptions.unsubscribe(try MethodParameters(parameters, method: ResourceUnsubscribe.name).string("uri"))
      return Empty()
    }
    await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: [DebateBrief.prompt]) }
    await server.withMethodHandler(GetPromptMethod.self) { parameters in
      let params = try MethodParameters(parameters, method: GetPrompt.name)
      let name = try params.string("name")
      guard name == DebateBrief.prompt.name else {
        throw MCPError.invalidParams("unknown prompt \(Excerpt.printable(name)); known: debate_brief")
      }
      var arguments: [String: String] = [:]
      for (key, value) in try params.object("arguments") ?? [:] {
        guard case .string(let text) = value else {
          throw MCPError.invalidParams("prompts/get: argument \(key) must be a string")
        }
        arguments[key] = text
      }
      return try await DebateBrief.brief(arguments, core: core)
    }
  }
}

/// One client's connection: its MCP server and its subscriptions. Close it when the client
/// goes (end of stdin, HTTP session deleted or expired) to release what it holds.
public final class AgentSession: Sendable {
  public let server: Server
  let subscriptions: ResourceSubscriptions
  private let answerToolCall: ToolCallShortcut.Answer

  init(server: Server, subscriptions: ResourceSubscriptions, answerToolCall: @escaping ToolCallShortcut.Answer) {
    self.server = server
    self.subscriptions = subscriptions
    self.answerToolCall = answerToolCall
  }

  /// Starts serving on `transport`; tool calls take ``ToolCallShortcut``, everything else the
  /// SDK's server.
  public func start(transport: any Transport) async throws {
    let logger = Logger(label: "lianyaohu.mcp.session")
    try await server.start(transport: ToolCallShortcut(transport, logger: logger, answer: answerToolCall))
  }

  /// Returns when the transport's incoming messages end (stdin closed).
  public func waitUntilCompleted() async {
    await server.waitUntilCompleted()
  }

  /// Resources this session is subscribed to, as the client spelled them.
  public var subscribedURIs: [String] { subscriptions.watchedURIs }

  /// Releases the subscriptions (and their core event stream) and stops the server.
  public func close() async {
    subscriptions.close()
    await server.stop()
  }
}
