import ArgumentParser
import AsyncHTTPClient
import ControlAPI
import ControlAPIClient
import Foundation
import Logging
import MarketCore
import MarketProviders
import ServiceLifecycle
import TerminalBackend
import TerminalUI
import UnixSignals

/// The operator dashboard: live panes for the eight immortals, providers, breakers, cache
/// and events, with keys to trip and reset providers and edit watchlists.
struct DashCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dash",
    abstract: "Open the operator dashboard (simulated market by default).",
    discussion: """
      Press ? inside for every key; q quits. Logs go to a file, never onto the screen. With --connect \
      the dashboard runs no core of its own: it mirrors the one behind that URL (lianyaohu serve) over \
      its live stream, sends operator keys to its control routes, and reconnects by itself when the \
      server goes away.
      """)

  @OptionGroup var core: CoreOptions

  @Option(
    help: ArgumentHelp(
      "Colour theme: default, light, high-contrast, monochrome, a theme in $XDG_CONFIG_HOME/lianyaohu/themes/, or a path to a .theme file.",
      valueName: "name"))
  var theme: String?

  @Option(help: ArgumentHelp("Where logs go while the dashboard runs.", valueName: "file"))
  var logFile: String?

  @Option(
    help: ArgumentHelp(
      "Attach to a core served elsewhere (lianyaohu serve) instead of running one here.", valueName: "http://host:port"))
  var connect: String?

  @Option(
    help: ArgumentHelp(
      "Bearer token for the remote core's mutating routes, with --connect (default: $LIANYAOHU_API_TOKEN, which keeps it out of the process list). Never shown or logged.",
      valueName: "token"))
  var token: String?

  @Option(help: "Also serve the control API on 127.0.0.1 at this port, so agents can share this process.")
  var port: Int?

  func validate() throws {
    try APIServing.validate(port: port)
    if let connect {
      guard port == nil else {
        throw ValidationError("--port serves this process's core, and with --connect there is none; serve from the remote one")
      }
      do {
        _ = try RemoteEndpoint(connect)
      } catch {
        throw ValidationError("--connect \(connect): \(error)")
      }
    } else if token != nil {
      throw ValidationError("--token is for --connect; a served API takes its token from LIANYAOHU_API_TOKEN")
    }
  }

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    let configuration = try self.core.loadConfiguration()
    let monochrome = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let selection: ThemeCatalog.Selection
    do {
      // Flag, then environment (already folded into the configuration), then the config file.
      selection = try ThemeCatalog.select(theme ?? configuration.theme, environment: environment)
    } catch {
      // A configuration error, not a usage error and not a runtime failure: EX_CONFIG.
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(78)
    }
    for warning in selection.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }

    let logPath = logFile ?? DashboardLogging.defaultLogPath(environment)
    let redirect = DashboardLogging.redirectStandardError(to: logPath)
    defer { redirect?.restore() }
    // Our own handler rather than a global bootstrap (the process may bootstrap logging
    // elsewhere); with standard error redirected above, these lines land in the log file.
    var logger = Logger(label: "lianyaohu.dash") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .info
    for warning in selection.warnings { logger.warning("\(warning)") }

    let options = DashboardService.Options(themes: selection.themes, initialTheme: selection.chosen, monochrome: monochrome)
    // Test only (see TestCrash): a deliberate crash once the terminal is up.
    let testCrash = TestCrash(environment: environment)
    let makeTerminal: @Sendable () throws -> any Terminal = {
      let terminal = try NCursesTerminal(colourMode: monochrome ? .monochrome : .automatic)
      testCrash?.schedule()
      return terminal
    }
    let signals: [UnixSignal] = [.sigterm, .sigint, .sighup]
    var client: HTTPClient?
    do {
      if let connect {
        // No core here: the remote one serves, and saves its own watchlists.
        let endpoint = try RemoteEndpoint(connect)
        let http = Self.makeClient()
        client = http
        let source = HTTPDashboardDataSource(
          endpoint: endpoint, token: (token ?? environment[APIServing.defaultTokenVariable]).flatMap(Self.secret),
          client: http, logger: logger)
        logger.notice("attaching to a remote core", metadata: ["endpoint": "\(endpoint)"])
        let dashboard = DashboardService(source: source, options: options, makeTerminal: makeTerminal, logger: logger)
        try await App.run([.init(service: source), App.endingRun(dashboard)], until: signals, logger: logger)
      } else {
        var application = App.build(
          configuration, needs: [.tiers, .refresh, .persistence], api: try port.map(APIServing.loopbackConfiguration(port:)),
          logger: logger)
        let history = application.sqlite.map(CoreDashboardDataSource.history(from:))
        application.add(
          DashboardService(
            source: CoreDashboardDataSource(core: application.core, history: history), options: options,
            makeTerminal: makeTerminal, logger: logger),
          endsRun: true)
        try await application.run(until: signals, logger: logger)
      }
    } catch {
      try? await client?.shutdown()
      // Put standard error back first so the one-line reason reaches the operator.
      redirect?.restore()
      throw error
    }
    try? await client?.shutdown()
  }

  /// One client for the stream and the commands. The read timeout is an idle timeout: the
  /// stream sends a heartbeat after 15 s of quiet, so 45 s without a byte means a dead server.
  private static func makeClient() -> HTTPClient {
    var settings = HTTPClient.Configuration(timeout: .init(connect: .seconds(3), read: .seconds(45)))
    // A redirect could carry the token to another host.
    settings.redirectConfiguration = .disallow
    settings.httpVersion = .http1Only
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
  }

  private static func secret(_ text: String) -> Secret? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : Secret(trimmed)
  }
}
