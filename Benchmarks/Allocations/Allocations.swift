import Foundation
import MallocInterposerSwift
import MarketCore
import MarketTesting

/// Heap allocations per warm read on the core's hot path, counted by ordo-one's malloc
/// interposer: `lianyaohu-allocations` re-executes itself with the interposer preloaded
/// (`LD_PRELOAD`), reads N quotes that are all in memory, and divides what was allocated by N.
/// A separate executable from `lianyaohu-bench` so the interposer sits in no timing run.
@main
enum Allocations {
  static let reads = 1_000_000

  static func main() async throws {
    guard preloaded() else { return try relaunchWithInterposer() }
    let symbols = SimulatedMarket.defaultListings.map(\.symbol)
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(3600), maximumStaleness: .seconds(3600))
    let clock = SystemClock()
    let provider = SimulatedProvider(id: "sim", market: SimulatedMarket(), clock: clock, behaviour: .perfect)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
    _ = await core.quotes(symbols)
    print("lianyaohu-allocations: \(reads) warm reads over \(symbols.count) symbols, malloc interposer preloaded")

    // Warm every path once outside the counted region (lazy globals, first-use metadata).
    for symbol in symbols { _ = try await core.quote(symbol) }
    let quote = try await counted { try await warmQuotes(core, symbols) }
    print(
      String(format: "  core.quote, memory hit:     %.3f allocations/read, %.1f bytes/read", quote.perRead, quote.bytesPerRead))
    let text = try await counted { try await warmQuoteTexts(core, symbols.map(\.text)) }
    print(String(format: "  core.quote(text:), hit:     %.3f allocations/read, %.1f bytes/read", text.perRead, text.bytesPerRead))
    guard provider.callCount <= 2 else { throw BenchError("warm reads went upstream") }
  }

  struct Count {
    var allocations: Int64
    var bytes: Int64
    var perRead: Double { Double(allocations) / Double(Allocations.reads) }
    var bytesPerRead: Double { Double(bytes) / Double(Allocations.reads) }
  }

  static func counted(_ body: @Sendable () async throws -> Double) async throws -> Count {
    MallocInterposerSwift.initialize()
    MallocInterposerSwift.hook()
    let sum = try await body()
    MallocInterposerSwift.unhook()
    let statistics = MallocInterposerSwift.getStatistics()
    precondition(sum > 0)
    return Count(allocations: Int64(statistics.mallocCount), bytes: Int64(statistics.mallocBytesCount))
  }

  @inline(never)
  static func warmQuotes(_ core: MarketDataCore, _ symbols: [Symbol]) async throws -> Double {
    var sum = 0.0
    for index in 0..<reads { sum += try await core.quote(symbols[index % symbols.count]).quote.price }
    return sum
  }

  @inline(never)
  static func warmQuoteTexts(_ core: MarketDataCore, _ texts: [String]) async throws -> Double {
    var sum = 0.0
    for index in 0..<reads { sum += try await core.quote(text: texts[index % texts.count]).quote.price }
    return sum
  }

  /// Whether the interposer is this process's `malloc` (it counts only then).
  static func preloaded() -> Bool {
    ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains("libMallocInterposerSwift") == true
  }

  static func relaunchWithInterposer() throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let library = executable.deletingLastPathComponent().appendingPathComponent("libMallocInterposerSwift.so")
    guard FileManager.default.fileExists(atPath: library.path) else {
      throw BenchError("no \(library.path): build the lianyaohu-allocations product, which builds it")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = Array(CommandLine.arguments.dropFirst())
    var environment = ProcessInfo.processInfo.environment
    environment["LD_PRELOAD"] = library.path
    process.environment = environment
    try process.run()
    process.waitUntilExit()
    if process.terminationStatus != 0 { throw BenchError("the counted run failed with status \(process.terminationStatus)") }
  }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
