import ArgumentParser
import ControlAPI
import Foundation
import Logging
import MarketCore
import ServiceLifecycle

/// The core and the control API without a terminal: what a desk runs for its debate agents.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the core and its HTTP control API without a terminal (simulated market by default).",
    discussion: """
      Listens on 127.0.0.1:8686 unless told otherwise. Mutating routes need a bearer token when \
      LIANYAOHU_API_TOKEN (or the variable named by --token-env) is set; listening on any address \
      other than loopback is refused without one. SIGTERM or SIGINT drains in-flight requests and \
      exits 0. Logs go to stderr.
      """)

  @OptionGroup var core: CoreOptions

  @Option(help: "Address to listen on. Anything but loopback needs a token.")
  var host = "127.0.0.1"

  @Option(help: "Port to listen on (0 picks a free one; the address is logged).")
  var port = 8686

  @Option(help: "Environment variable that holds the API token (default LIANYAOHU_API_TOKEN).")
  var tokenEnv: String?

  @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
  var logLevel: Logger.Level = .info

  func validate() throws {
    guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
  }

  func run() async throws {
    var configuration = APIConfiguration(metricsRegistry: APIServing.metricsRegistry)
    configuration.host = host
    configuration.port = port
    configuration.token = try APIServing.token(variable: tokenEnv)
    do {
      try configuration.validate()
    } catch {
      throw ValidationError(error.description)
    }
    let level = logLevel
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "lianyaohu.serve")
    let application = App.build(
      try self.core.loadConfiguration(), needs: [.tiers, .refresh, .persistence], api: configuration, logger: logger)
    try await application.run(until: [.sigterm, .sigint], logger: logger)
    logger.notice("stopped")
  }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
