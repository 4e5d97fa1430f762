import ArgumentParser
import CacheTiers
import Foundation
import MarketTesting

/// GET and SET operations per second through our Redis client, one command at a time per
/// task and pipelined, next to `redis-benchmark` with the same connections, depth and
/// payload on the same server, so the figures compare the clients rather than machines.
struct RedisBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "redis", abstract: "GET/SET ops/s through our Redis client next to redis-benchmark on the same server.")

  @Option(help: "Port of a running Redis on 127.0.0.1; by default the benchmark starts its own.")
  var port: Int?

  @Option(help: "Connections (and concurrent tasks), as redis-benchmark -c.")
  var connections = 50

  @Option(help: "Requests per measurement, as redis-benchmark -n.")
  var requests = 200_000

  @Option(help: "Pipeline depth, as redis-benchmark -P.")
  var pipeline = 16

  @Option(help: "Runs per measurement; the median is reported.")
  var runs = 3

  /// The key and 3-byte value redis-benchmark uses by default (`-d 3`, no `-r`).
  static let key = "key:__rand_int__"
  static let value: [UInt8] = Array("xxx".utf8)

  enum Operation: String, CaseIterable {
    case set = "SET"
    case get = "GET"
  }

  func validate() throws {
    guard connections > 0, requests > 0, pipeline > 0, runs > 0 else {
      throw ValidationError("--connections, --requests, --pipeline and --runs must be positive")
    }
    guard requests >= connections * pipeline else {
      throw ValidationError("--requests must be at least --connections x --pipeline")
    }
  }

  func run() async throws {
    #if DEBUG
      print("warning: debug build; use `swift build -c release --product lianyaohu-bench` for real figures")
    #endif
    let server: RedisServer?
    let port: Int
    if let given = self.port {
      server = nil
      port = given
    } else {
      let started = try await RedisServer()
      server = started
      port = started.port
    }
    print(
      "lianyaohu-bench redis: \(ProcessInfo.processInfo.activeProcessorCount) cores, 127.0.0.1:\(port), "
        + "\(connections) connections, \(requests) requests, pipeline \(pipeline), 3-byte values, \(runs) runs")

    let ours = try await measureOurs(port: port)
    let theirs = try measureRedisBenchmark(port: port)
    withExtendedLifetime(server) {}

    print("")
    print("| operation | depth | ours (ops/s) | redis-benchmark (ops/s) | ours / redis-benchmark |")
    print("|---|---|---|---|---|")
    for depth in [1, pipeline] {
      for operation in Operation.allCases {
        let ourRate = ours[Case(operation: operation, depth: depth)]?.median ?? 0
        let theirRate = theirs[Case(operation: operation, depth: depth)]?.median ?? 0
        let ratio = theirRate > 0 ? String(format: "%.0f %%", 100 * ourRate / theirRate) : "-"
        print(
          "| \(operation.rawValue) | \(depth) | \(Self.format(ourRate)) | \(Self.format(theirRate)) | \(ratio) |")
      }
    }
    let ourGet = ours[Case(operation: .get, depth: pipeline)]?.median ?? 0
    let theirGet = theirs[Case(operation: .get, depth: pipeline)]?.median ?? 0
    if theirGet > 0 {
      let ratio = ourGet / theirGet
      print("")
      print(
        String(
          format: "pipelined GET (depth %d): ours / redis-benchmark = %.2f (target >= 0.50: %@)", pipeline, ratio,
          ratio >= 0.5 ? "met" : "NOT met"))
    }
  }

  struct Case: Hashable {
    var operation: Operation
    var depth: Int
  }

  /// Our client: `connections` tasks over as many pooled connections, each sending one
  /// command at a time (depth 1) or one pipeline of `depth` commands at a time.
  func measureOurs(port: Int) async throws -> [Case: Measurement] {
    var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
    configuration.poolSize = connections
    // Throughput, not latency: a loaded 2-core machine must not turn queueing into timeouts.
    configuration.commandTimeout = .seconds(10)
    configuration.connectTimeout = .seconds(5)
    let client = RedisClient(configuration: configuration)
    let running = Task { try await client.run() }
    defer { running.cancel() }
    let clock = ContinuousClock()
    let connectDeadline = clock.now + .seconds(10)
    while client.statistics.openConnections < connections, clock.now < connectDeadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    guard client.statistics.openConnections == connections else {
      throw ValidationError("only \(client.statistics.openConnections) of \(connections) connections came up: \(client.health)")
    }
    try await client.set(Self.key, Self.value, expiresIn: nil)
    // Warm up: the allocator, the connections' buffers, the task pool.
    for operation in Operation.allCases {
      _ = try await rate(of: operation, depth: pipeline, requests: requests / 4, client: client)
    }
    var results: [Case: Measurement] = [:]
    for depth in [1, pipeline] {
      for operation in Operation.allCases {
        var samples: [Double] = []
        for _ in 0..<runs {
          samples.append(try await rate(of: operation, depth: depth, requests: requests, client: client))
        }
        let measurement = Measurement(name: "ours \(operation.rawValue) -P \(depth)", samples: samples, unit: "ops/s")
        print(measurement.line)
        results[Case(operation: operation, depth: depth)] = measurement
      }
    }
    let statistics = client.statistics
    if statistics.failures > 0 { print("warning: \(statistics.failures) commands failed (\(statistics.timeouts) timeouts)") }
    running.cancel()
    _ = await running.result
    return results
  }

  /// Operations per second for `requests` operations spread over `connections` tasks.
  func rate(of operation: Operation, depth: Int, requests: Int, client: RedisClient) async throws -> Double {
    let rounds = max(1, requests / (connections * depth))
    let command: RedisCommand =
      switch operation {
      case .set: RedisCommand("SET", [Self.key]).appending(Self.value)
      case .get: RedisCommand("GET", [Self.key])
      }
    let batch = Array(repeating: command, count: depth)
    let elapsed = try await elapsedNanoseconds {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<connections {
          group.addTask {
            for _ in 0..<rounds {
              if depth == 1 {
                switch operation {
                case .set: try await client.set(Self.key, Self.value, expiresIn: nil)
                case .get: blackHole(try await client.get(Self.key))
                }
              } else {
                blackHole(try await client.pipeline(batch))
              }
            }
          }
        }
        try await group.waitForAll()
      }
    }
    return Double(rounds * connections * depth) / (elapsed / 1e9)
  }

  /// `redis-benchmark -t get,set --csv` at depth 1 and at the pipeline depth.
  func measureRedisBenchmark(port: Int) throws -> [Case: Measurement] {
    guard let executable = Self.findExecutable("redis-benchmark") else {
      print("redis-benchmark not found on PATH or in /usr/bin: no comparison (apt-get install redis-tools)")
      return [:]
    }
    var results: [Case: Measurement] = [:]
    for depth in [1, pipeline] {
      var samples: [Operation: [Double]] = [:]
      for _ in 0..<runs {
        let arguments = [
          "-h", "127.0.0.1", "-p", "\(port)", "-c", "\(connections)", "-n", "\(requests)", "-P", "\(depth)", "-t",
          "get,set", "--csv",
        ]
        for (operation, rate) in try Self.runRedisBenchmark(executable, arguments) {
          samples[operation, default: []].append(rate)
        }
      }
      for (operation, values) in samples {
        let measurement = Measurement(name: "redis-benchmark \(operation.rawValue) -P \(depth)", samples: values, unit: "ops/s")
        print(measurement.line)
        results[Case(operation: operation, depth: depth)] = measurement
      }
    }
    return results
  }

  /// Runs redis-benchmark and reads the requests per second of each test from its CSV:
  /// `"test","rps",...` then one line per test, such as `"GET","98765.43",...`.
  static func runRedisBenchmark(_ executable: String, _ arguments: [String]) throws -> [(Operation, Double)] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ValidationError("redis-benchmark exited with status \(process.terminationStatus)")
    }
    var rates: [(Operation, Double)] = []
    for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
      let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
      guard fields.count >= 2, let operation = Operation(rawValue: fields[0]), let rate = Double(fields[1]) else {
        continue
      }
      rates.append((operation, rate))
    }
    return rates
  }

  static func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static func format(_ rate: Double) -> String {
    rate >= 1000 ? String(format: "%.0f", rate) : String(format: "%.1f", rate)
  }
}
