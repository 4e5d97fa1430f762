import ArgumentParser
import Foundation
import MarketCore
import MarketTesting

/// L1 hits, warm `dal.quote` from 1 and 8 tasks, a warm year of history, and single-flight
/// under contention.
struct CoreBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "core", abstract: "L1 cache and MarketDataCore read-path benchmarks.")

  @Option(help: "Runs per measurement; the median is reported.")
  var runs = 7

  @Option(help: "Operations per run.")
  var operations = 2_000_000

  func run() async throws {
    #if DEBUG
      print("warning: debug build; use `swift run -c release lianyaohu-bench core` for real figures")
    #endif
    let symbols = SimulatedMarket.defaultListings.map(\.symbol)
    print("lianyaohu-bench core: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(symbols.count) symbols")
    let measurements = try await [
      l1Hit(symbols), warmQuote(symbols, tasks: 1), warmQuote(symbols, tasks: 8), warmHistory(), singleFlight(),
    ]
    for measurement in measurements {
      print(measurement.line)
    }
  }

  /// One memory-cache lookup that hits, as the core makes it (every data class shares one
  /// cache, so the value comes back boxed and its class is checked), in nanoseconds.
  func l1Hit(_ symbols: [Symbol]) async -> Measurement {
    let cache = L1Cache<StoredValue>()
    let keys = symbols.map { CacheKey(.quote, $0) }
    let now = Date()
    for key in keys {
      let quote = Quote(symbol: key.symbol, price: 1, asOf: now, receivedAt: now, source: "bench", isSimulated: true)
      cache.store(Stored(quote), for: key, byteCount: quote.approximateByteCount, storedAt: .origin, policy: .quotes)
    }
    var samples: [Double] = []
    // Locals, not the command's @Option properties: their getters would dominate the loop.
    let operations = self.operations
    let readAt = MarketInstant.origin + .seconds(1)
    for _ in 0..<runs {
      var hits = 0
      let nanoseconds = await elapsedNanoseconds {
        hits = Self.lookups(cache, keys, operations, readAt)
      }
      blackHole(hits)
      precondition(hits == operations, "every lookup must hit")
      samples.append(nanoseconds / Double(operations))
    }
    return Measurement(name: "L1 lookup, hit", samples: samples, unit: "ns/op")
  }

  @inline(never)
  static func lookups(_ cache: L1Cache<StoredValue>, _ keys: [CacheKey], _ operations: Int, _ now: MarketInstant) -> Int {
    var hits = 0
    let count = keys.count
    for index in 0..<operations {
      if case .fresh(let stored, _) = cache.lookup(keys[index % count], now: now), let quote = (stored as? Stored<Quote>)?.value {
        hits += quote.price > 0 ? 1 : 0
      }
    }
    return hits
  }

  /// Warm `dal.quote` throughput, in quotes per second across all tasks.
  func warmQuote(_ symbols: [Symbol], tasks: Int) async throws -> Measurement {
    var configuration = CoreConfiguration()
    configuration.quotePolicy = CachePolicy(timeToLive: .seconds(3600), maximumStaleness: .seconds(3600))
    let clock = SystemClock()
    let provider = SimulatedProvider(id: "sim", market: SimulatedMarket(), clock: clock, behaviour: .perfect)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
    _ = await core.quotes(symbols)
    var samples: [Double] = []
    let operations = self.operations
    for _ in 0..<runs {
      let perTask = operations / tasks
      let nanoseconds = try await elapsedNanoseconds {
        try await withThrowingTaskGroup(of: Double.self) { group in
          for task in 0..<tasks {
            group.addTask {
              var sum = 0.0
              let count = symbols.count
              for index in 0..<perTask { sum += try await core.quote(symbols[(index + task) % count]).quote.price }
              return sum
            }
          }
          for try await sum in group { blackHole(sum) }
        }
      }
      samples.append(Double(perTask * tasks) / (nanoseconds / 1e9))
    }
    precondition(provider.callCount <= 2, "warm reads must not go upstream")
    return Measurement(name: "dal.quote warm, \(tasks) task\(tasks == 1 ? "" : "s")", samples: samples, unit: "quotes/s")
  }

  /// A one-year daily series from warm memory, in microseconds: the window's twelve monthly
  /// blocks found in L1 and joined into one series, as an agent's repeated history read is.
  func warmHistory() async throws -> Measurement {
    let clock = SystemClock()
    let provider = ScriptedHistoryProvider(id: "scripted", clock: clock)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    let request = try HistoryRequest(symbol: Symbol("AAPL"), interval: .oneDay, window: .range(.oneYear))
    let bars = try await core.history(request).value.bars.count
    precondition(bars > 200, "a year of weekday bars, not \(bars)")
    let reads = max(1, operations / 200)
    var samples: [Double] = []
    for _ in 0..<runs {
      var total = 0
      let nanoseconds = try await elapsedNanoseconds {
        for _ in 0..<reads { total += try await core.history(request).value.bars.count }
      }
      blackHole(total)
      samples.append(nanoseconds / Double(reads) / 1000)
    }
    precondition(provider.callCount <= 2, "warm reads must not go upstream")
    return Measurement(name: "core.history 1y daily (\(bars) bars), warm", samples: samples, unit: "µs/read")
  }

  /// 100 concurrent callers of one cold key: microseconds per round, and upstream calls per
  /// round (must be 1).
  func singleFlight() async throws -> Measurement {
    let clock = SystemClock()
    let provider = ScriptedProvider(id: "scripted", price: 1, clock: clock)
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], clock: clock)
    let rounds = 2_000
    let callers = 100
    var samples: [Double] = []
    for _ in 0..<runs {
      let before = provider.callCount
      let nanoseconds = try await elapsedNanoseconds {
        for _ in 0..<rounds {
          core.invalidate(.key(CacheKey(.quote, Symbol("AAPL"))))
          try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<callers { group.addTask { _ = try await core.quote(Symbol("AAPL")) } }
            try await group.waitForAll()
          }
        }
      }
      let calls = Double(provider.callCount - before) / Double(rounds)
      samples.append(nanoseconds / Double(rounds) / 1000)
      print("  single-flight run: \(String(format: "%.2f", calls)) upstream calls per round of \(callers) callers")
    }
    return Measurement(name: "single-flight, 100 callers of one cold key", samples: samples, unit: "µs/round")
  }
}
