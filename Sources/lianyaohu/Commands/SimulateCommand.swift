import ArgumentParser
import Foundation
import Logging
import MarketCore
import ServiceLifecycle

/// Serves the embedded simulated market over HTTP in the OpenBB Platform's shape, so the
/// dashboard (or anything that speaks to `openbb-api`) can run against a real HTTP provider
/// on loopback, with faults to taste.
struct SimulateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Serve the simulated market over HTTP as the OpenBB Platform API does.",
    discussion: """
      Route: GET /api/v1/equity/price/quote?symbol=A,B&provider=fmp. Every result is marked \
      "simulated": true. Point an openbb provider's base URL at http://HOST:PORT. \
      --chaos-seed N adds a seeded schedule of fault phases (latency spikes, 500s, connection \
      resets, garbage bodies, 429s with Retry-After, quiet), one line on standard output as each \
      phase starts; the same seed gives the same phases.
      """)

  @Option(help: "Address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "Port to listen on (0 picks a free one and prints it).")
  var port = 6900

  @Option(name: .customLong("latency-ms"), help: ArgumentHelp("Answer latency in ms.", valueName: "median[,p99]"))
  var latency = "0"

  @Option(help: ArgumentHelp("Fraction of requests answered with HTTP 500.", valueName: "fraction"))
  var errorRate = 0.0

  @Option(help: ArgumentHelp("Fraction of requests never answered.", valueName: "fraction"))
  var timeoutRate = 0.0

  @Option(help: ArgumentHelp("Fraction of requests answered with an HTML page and 200.", valueName: "fraction"))
  var garbageRate = 0.0

  @Option(
    help: ArgumentHelp(
      "A periodic outage (connections reset): down DOWN_S seconds of every PERIOD_S, from PHASE_S.",
      valueName: "period_s,down_s[,phase_s]"))
  var outage: [String] = []

  @Option(help: "Seed of the market and of the fault draws; the same seed gives the same prices.")
  var seed: UInt64 = 8

  @Option(help: ArgumentHelp("Run the chaos schedule of this seed on top of the other faults.", valueName: "seed"))
  var chaosSeed: UInt64?

  @Option(name: .customLong("chaos-phase-s"), help: ArgumentHelp("Length of one chaos phase.", valueName: "seconds"))
  var chaosPhaseSeconds = 10.0

  func validate() throws {
    _ = try behaviour()
    guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    guard chaosPhaseSeconds.isFinite, (0.1...86_400).contains(chaosPhaseSeconds) else {
      throw ValidationError("--chaos-phase-s must be between 0.1 and 86400")
    }
  }

  func behaviour() throws -> SimulatedBehaviour {
    do {
      return SimulatedBehaviour(
        latency: try SimulateFaultFlags.latency(latency),
        errorRate: try SimulateFaultFlags.rate(errorRate, flag: "--error-rate"),
        timeoutRate: try SimulateFaultFlags.rate(timeoutRate, flag: "--timeout-rate"),
        garbageRate: try SimulateFaultFlags.rate(garbageRate, flag: "--garbage-rate"),
        outages: try outage.map { text throws(SimulateFaultFlags.Invalid) in try SimulateFaultFlags.outage(text) })
    } catch {
      throw ValidationError(error.description)
    }
  }

  func run() async throws {
    let behaviour = try behaviour()
    guard behaviour.errorRate + behaviour.timeoutRate + behaviour.garbageRate <= 1 else {
      throw ValidationError("--error-rate, --timeout-rate and --garbage-rate add up to more than 1")
    }
    var logger = Logger(label: "lianyaohu.simulate") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .info
    let schedule = chaosSeed.map {
      ChaosSchedule(seed: $0, phaseLength: .milliseconds(Int64((chaosPhaseSeconds * 1000).rounded())))
    }
    let route = SimulatedOpenBB(
      market: SimulatedMarket(seed: seed), behaviour: behaviour, clock: SystemClock(), seed: seed, chaos: schedule)
    let server: SimulateServer
    do {
      server = try await SimulateServer.start(host: host, port: port, route: route)
    } catch {
      FileHandle.standardError.write(Data("error: cannot listen on \(host):\(port): \(error)\n".utf8))
      throw ExitCode.failure
    }
    // The one line scripts wait for; the port is the real one when --port 0 was given.
    FileHandle.standardOutput.write(Data("simulate: listening on \(server.origin)\n".utf8))
    logger.info("serving the simulated market in the OpenBB Platform shape", metadata: ["origin": "\(server.origin)"])
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: SimulateService(server: server))]
    if let schedule {
      FileHandle.standardOutput.write(Data("chaos seed=\(schedule.seed) phase_s=\(chaosPhaseSeconds)\n".utf8))
      let log = ChaosLogService(route: route, schedule: schedule) { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
      }
      services.append(App.endingRun(log))
    }
    try await App.run(services, until: [.sigterm, .sigint], logger: logger)
    logger.info("simulate stopped")
  }
}
