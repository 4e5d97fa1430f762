import ArgumentParser
import ControlAPI
import Foundation
import Hummingbird
import Logging
import MarketCore
import NIOCore
import Prometheus

/// What every command that serves the control API shares: one metrics registry for the
/// process, the token from the environment, and the server itself.
enum APIServing {
  /// The variable read for the token when `--token-env` does not name another.
  static let defaultTokenVariable = "LIANYAOHU_API_TOKEN"

  /// The process's registry, with swift-metrics bootstrapped onto it. Call before building the
  /// core, so the core's metrics land in it.
  static let metricsRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    APIMetrics.bootstrap(registry: registry)
    return registry
  }()

  /// The token from `variable` (or the default one). Naming a variable that is unset or
  /// empty is an error: the operator meant to protect the API and would silently not be.
  static func token(variable: String?) throws -> APIToken? {
    let environment = ProcessInfo.processInfo.environment
    guard let variable else { return environment[defaultTokenVariable].flatMap(APIToken.init) }
    guard let value = environment[variable], let token = APIToken(value) else {
      throw ValidationError("--token-env \(variable): that environment variable is unset or empty")
    }
    return token
  }

  /// The configuration for `--port` on a command that is not `serve` (`feed`, `dash`): loopback
  /// only, the token from the default variable. Touches ``metricsRegistry`` first, so call it
  /// before building the core.
  static func loopbackConfiguration(port: Int) throws -> APIConfiguration {
    var configuration = APIConfiguration(metricsRegistry: metricsRegistry)
    configuration.port = port
    configuration.token = try token(variable: nil)
    return configuration
  }

  /// Checks a `--port` value.
  static func validate(port: Int?) throws {
    if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
  }

  /// The API as a service; logs the address it actually listens on (useful with `--port 0`).
  static func server(
    core: MarketDataCore, configuration: APIConfiguration, logger: Logger
  ) -> Application<RouterResponder<APIRequestContext>> {
    let host =
      configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
    let guarded = configuration.token != nil
    return buildControlAPI(core: core, configuration: configuration, logger: logger) { channel in
      let port = channel.localAddress?.port ?? configuration.port
      logger.notice(
        "listening on http://\(host):\(port)",
        metadata: ["mutating_routes": .string(guarded ? "need a bearer token" : "open (loopback only)")])
    }
  }
}
