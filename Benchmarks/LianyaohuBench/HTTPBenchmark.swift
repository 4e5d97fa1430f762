import ArgumentParser
import Foundation
import MarketCore
import MarketProviders

/// Quotes per second through the real HTTP path (OpenBBAdapter + HTTPQuoteProvider + the
/// shared AsyncHTTPClient transport) against a running `lianyaohu simulate`, with keep-alive
/// connection reuse and with a new connection per request, at several concurrency levels.
/// `scripts/bench-http` starts the server and runs this.
struct HTTPBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http", abstract: "Quotes/s over HTTP against `lianyaohu simulate`, with and without connection reuse.")

  @Option(help: "Where `lianyaohu simulate` listens.")
  var origin = "http://127.0.0.1:6900"

  @Option(help: "Comma-separated numbers of concurrent callers.")
  var concurrency = "1,8,32"

  @Option(help: "Seconds per run.")
  var seconds = 2.0

  @Option(help: "Runs per measurement; the median is reported.")
  var runs = 3

  func run() async throws {
    #if DEBUG
      print("warning: debug build; use `swift run -c release lianyaohu-bench http` for real figures")
    #endif
    let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else { throw ValidationError("--concurrency: e.g. 1,8,32") }
    print(
      "lianyaohu-bench http: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(origin), \(seconds) s per run, "
        + "1 symbol per request, connections per host = callers")
    for reuse in [true, false] {
      for callers in levels {
        var samples: [Double] = []
        var failures = 0
        for _ in 0..<runs {
          let (rate, failed) = try await measure(callers: callers, reuse: reuse)
          samples.append(rate)
          failures += failed
        }
        let name = "\(reuse ? "keep-alive" : "new connection each"), \(callers) caller\(callers == 1 ? "" : "s")"
        print(Measurement(name: name, samples: samples, unit: "quotes/s").line + (failures > 0 ? "  \(failures) failed" : ""))
      }
    }
  }

  /// Quotes per second from `callers` tasks looping for `seconds`, and how many calls failed.
  func measure(callers: Int, reuse: Bool) async throws -> (Double, Int) {
    var configuration = HTTPTransport.Configuration()
    configuration.reusesConnections = reuse
    configuration.connectionsPerHost = callers
    let transport = HTTPTransport(configuration: configuration)
    let provider = HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: origin), transport: transport, timeout: .seconds(5), clock: SystemClock())
    let symbols = SimulatedMarket.defaultListings.map(\.symbol).filter(provider.canServe)
    // Warm up: connections, the market's paths, the allocator.
    for symbol in symbols.prefix(callers) { _ = try? await provider.quote(for: symbol) }
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    let start = ContinuousClock.now
    let (quotes, failures) = await withTaskGroup(of: (Int, Int).self) { group in
      for caller in 0..<callers {
        group.addTask {
          var count = 0
          var failed = 0
          var index = caller
          while ContinuousClock.now < deadline {
            do {
              blackHole(try await provider.quote(for: symbols[index % symbols.count]))
              count += 1
            } catch {
              failed += 1
            }
            index += callers
          }
          return (count, failed)
        }
      }
      return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
    let elapsed = ContinuousClock.now - start
    try await transport.shutdown()
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(quotes) / elapsedSeconds, failures)
  }
}
