import AgentTools
import ArgumentParser
import Foundation
import Logging
import MarketCore
import ServiceLifecycle

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The agents' MCP server on standard input and output: what an agent runner starts (a
/// `mcpServers` entry). The same core as every command (cache tiers, refresh loop, watchlist
/// saving); the protocol owns standard output, logs go to standard error or `--log-file`.
struct McpCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcp",
    abstract: "Serve the agents' MCP tools, resources and prompts on standard input and output.",
    discussion: """
      One JSON-RPC message per line (MCP's stdio transport). Standard output carries only the \
      protocol: logs go to standard error, or to --log-file. Malformed or overlong lines get \
      JSON-RPC errors and the server goes on; at end of input it answers what is still in \
      flight and exits 0. `lianyaohu serve` offers the same server over HTTP at /mcp. See docs/MCP.md.
      """)

  @OptionGroup var core: CoreOptions

  @Option(help: "Write logs to this file instead of standard error (e.g. ~/.local/state/lianyaohu/mcp.log).")
  var logFile: String?

  @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
  var logLevel: Logger.Level = .notice

  func run() async throws {
    // A client that goes away must not kill us mid-write: EPIPE is handled, SIGPIPE is not wanted.
    signal(SIGPIPE, SIG_IGN)
    if let logFile, DashboardLogging.redirectStandardError(to: logFile) == nil {
      throw ValidationError("--log-file \(logFile): cannot open it for writing")
    }
    // The protocol gets a private copy of standard output, and descriptor 1 becomes standard
    // error: a stray print anywhere in the process cannot corrupt the message stream.
    let protocolOutput = dup(STDOUT_FILENO)
    guard protocolOutput >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
      throw ValidationError("cannot set up standard output for the protocol")
    }
    let level = logLevel
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "lianyaohu.mcp")
    var application = App.build(try core.loadConfiguration(), needs: [.tiers, .refresh, .persistence], logger: logger)
    application.add(
      StdioMCPService(tools: AgentTools(core: application.core), output: protocolOutput, logger: logger), endsRun: true)
    try await application.run(until: [.sigterm, .sigint], logger: logger)
    logger.notice("stopped")
  }
}

/// One MCP session over standard input and output, for as long as the client keeps its end
/// open: at end of input (or SIGTERM) it answers what is in flight, then ends the run.
struct StdioMCPService: Service {
  let tools: AgentTools
  let output: Int32
  let logger: Logger

  /// How long answers still in flight at end of input may take to go out.
  static let drainTimeout: Duration = .seconds(10)

  func run() async throws {
    let transport = LineTransport(output: output, logger: logger)
    let session = await tools.makeSession()
    try await session.start(transport: transport)
    logger.notice("serving MCP on standard input and output", metadata: ["tools": "\(tools.toolNames.count)"])
    await withGracefulShutdownHandler {
      await session.waitUntilCompleted()
    } onGracefulShutdown: {
      Task { await transport.disconnect() }
    }
    if !(await transport.drain(timeout: Self.drainTimeout)) {
      logger.warning("ending with requests unanswered (cancelled by the client, or still running)")
    }
    await session.close()
    await transport.disconnect()
  }
}
