import ArgumentParser
import Foundation
import Logging
import MarketCore
import ServiceLifecycle
import TerminalBackend
import TerminalUI

/// The operator dashboard: live panes for the eight immortals, providers, breakers, cache
/// and events, with keys to trip and reset providers and edit watchlists.
struct DashCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dash",
    abstract: "Open the operator dashboard (simulated market by default).",
    discussion: "Press ? inside for every key; q quits. Logs go to a file, never onto the screen.")

  @OptionGroup var core: CoreOptions

  @Option(
    help: ArgumentHelp(
      "Colour theme: default, light, high-contrast, monochrome, a theme in $XDG_CONFIG_HOME/lianyaohu/themes/, or a path to a .theme file.",
      valueName: "name"))
  var theme: String?

  @Option(help: ArgumentHelp("Where logs go while the dashboard runs.", valueName: "file"))
  var logFile: String?

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

    let core = makeCore(configuration: configuration)
    let dashboard = DashboardService(
      source: CoreDashboardDataSource(core: core),
      options: DashboardService.Options(themes: selection.themes, initialTheme: selection.chosen, monochrome: monochrome),
      makeTerminal: { try NCursesTerminal(colourMode: monochrome ? .monochrome : .automatic) },
      // Edits reach the config file through WatchlistPersistenceService, whatever made them.
      persistWatchlists: { _ in },
      logger: logger)
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
      .init(service: RefreshService(loop: RefreshLoop(core: core))),
      .init(
        service: dashboard, successTerminationBehavior: .gracefullyShutdownGroup,
        failureTerminationBehavior: .gracefullyShutdownGroup),
    ]
    if let file = configuration.file {
      services.append(.init(service: WatchlistPersistenceService(core: core, path: file, logger: logger)))
    }
    let group = ServiceGroup(
      configuration: .init(
        services: services,
        gracefulShutdownSignals: [.sigterm, .sigint, .sighup],
        logger: logger))
    do {
      try await group.run()
    } catch {
      // Put standard error back first so the one-line reason reaches the operator.
      redirect?.restore()
      throw error
    }
  }
}
