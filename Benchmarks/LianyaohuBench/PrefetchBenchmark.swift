import ArgumentParser
import Foundation
import MarketCore
import MarketTesting

/// What predictive prefetch buys: a synthetic debate on a manual clock, the same requests
/// (same seed) with prefetch off and on. Eight agents read their own watchlists, a pool of
/// unwatched symbols with a few favourites (Zipf), and follow one symbol with a related one
/// (NVDA, then TSM or AMD). A read counts as a hit when it is served from memory and fresh.
struct PrefetchBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prefetch", abstract: "Hit ratio of agent reads with predictive prefetch off and on (simulated time).")

  @Option(help: "Simulated minutes of debate.")
  var minutes = 30

  @Option(help: "Reads per agent per simulated second (on average).")
  var readsPerSecond = 0.5

  @Option(help: "Seed of the request pattern.")
  var seed: UInt64 = 7

  static let related: [Symbol: [Symbol]] = symbols([
    "NVDA": ["TSM", "AMD", "SMCI"], "AAPL": ["MSFT", "GOOGL", "QCOM"], "TSLA": ["RIVN", "NIO", "LCID"],
    "BTC-USD": ["ETH-USD", "COIN", "MSTR"], "JPM": ["BAC", "GS", "MS"], "XOM": ["CVX", "COP", "XLE"],
  ])
  /// Symbols on no default watchlist that agents bring up, most popular first.
  static let unwatched: [Symbol] = [
    "GOOGL", "META", "AMZN", "TSM", "SMCI", "QCOM", "NIO", "LCID", "BAC", "GS", "MS", "XOM", "CVX", "COP", "HOOD", "SNOW",
    "SHOP", "UBER", "ABNB", "NFLX", "DIS", "NKE", "SBUX", "WMT", "COST", "T", "VZ", "PFE", "MRK", "LLY",
  ].compactMap { try? Symbol(validating: $0) }

  private static func symbols(_ groups: [String: [String]]) -> [Symbol: [Symbol]] {
    var result: [Symbol: [Symbol]] = [:]
    for (key, members) in groups {
      guard let symbol = try? Symbol(validating: key) else { continue }
      result[symbol] = members.compactMap { try? Symbol(validating: $0) }
    }
    return result
  }

  struct Outcome {
    var reads = 0
    var hits = 0
    var staleServes = 0
    var upstreamCalls = 0
    var hotSymbols = 0
  }

  func run() async throws {
    let off = await simulate(prefetch: false)
    let on = await simulate(prefetch: true)
    print("prefetch: \(minutes) simulated minutes, 8 agents, \(readsPerSecond) reads/s each, seed \(seed)")
    print("| prefetch | agent reads | fresh hits | hit ratio | stale serves | upstream symbol fetches |")
    print("|---|---|---|---|---|---|")
    for (name, outcome) in [("off", off), ("on", on)] {
      let ratio = Double(outcome.hits) / Double(max(outcome.reads, 1))
      print(
        "| \(name) | \(outcome.reads) | \(outcome.hits) | \(String(format: "%.1f%%", ratio * 100)) | \(outcome.staleServes) "
          + "| \(outcome.upstreamCalls) |")
    }
    let gained = (Double(on.hits) - Double(off.hits)) / Double(max(on.reads, 1)) * 100
    print(
      String(format: "hit ratio gained: %+.1f points, for %+d upstream fetches", gained, on.upstreamCalls - off.upstreamCalls))
  }

  private func simulate(prefetch enabled: Bool) async -> Outcome {
    let clock = ManualClock()
    let provider = ScriptedProvider(id: "sim", price: 100, clock: clock, capabilities: ProviderCapabilities(maximumBatchSize: 50))
    var configuration = CoreConfiguration()
    configuration.refreshInterval = .seconds(2)
    configuration.prefetch.enabled = enabled
    configuration.prefetch.relatedGroups = Self.related
    let core = MarketDataCore(providers: [ProviderRegistration(provider)], configuration: configuration, clock: clock)
    let loop = RefreshLoop(core: core)
    var random = SeededRandom(seed: seed)
    var outcome = Outcome()
    var previous: [Symbol?] = Array(repeating: nil, count: Immortal.all.count)
    // Zipf weights over the unwatched pool: a few favourites, a long tail.
    let weights = Self.unwatched.indices.map { 1 / pow(Double($0 + 1), 1.1) }
    let total = weights.reduce(0, +)
    func unwatched(_ random: inout SeededRandom) -> Symbol {
      var pick = Double.random(in: 0..<total, using: &random)
      for (index, weight) in weights.enumerated() {
        pick -= weight
        if pick < 0 { return Self.unwatched[index] }
      }
      return Self.unwatched[Self.unwatched.count - 1]
    }

    for second in 0..<(minutes * 60) {
      if second % 2 == 0 { await loop.refreshOnce() }
      for (index, immortal) in Immortal.all.enumerated() where Double.random(in: 0..<1, using: &random) < readsPerSecond {
        let roll = Double.random(in: 0..<1, using: &random)
        let symbol: Symbol
        if roll < 0.2, let last = previous[index], let group = Self.related[last], let next = group.randomElement(using: &random)
        {
          symbol = next
        } else if roll < 0.6 {
          symbol = unwatched(&random)
        } else {
          symbol = immortal.defaultSymbols.randomElement(using: &random) ?? Self.unwatched[0]
        }
        previous[index] = symbol
        outcome.reads += 1
        if let served = try? await core.quote(symbol) {
          if served.origin == .memory, !served.isStale { outcome.hits += 1 }
          if served.isStale { outcome.staleServes += 1 }
        }
      }
      // Let background refreshes (refresh-ahead, related warming) finish before time moves.
      for _ in 0..<20 { await Task.yield() }
      clock.advance(by: .seconds(1))
    }
    outcome.upstreamCalls = provider.calls.reduce(0) { $0 + $1.count }
    outcome.hotSymbols = core.status().prefetch.hotSymbols
    return outcome
  }
}
