import ArgumentParser
import Foundation
import MarketCore
import TerminalUI

/// `lianyaohu-bench dashboard [frames] [width] [height]`: the cost of one dashboard frame,
/// rendering the whole state into a screen buffer plus diffing it against the previous
/// frame, while 8 immortals x 5 symbols tick 4 times a second at 10 frames a second.
///
/// The main.swift of this target is the lead's; it calls this for the `dashboard` argument.
func runDashboardBenchmark(arguments: [String]) {
  let frames = arguments.first.flatMap(Int.init) ?? 3000
  let width = arguments.dropFirst().first.flatMap(Int.init) ?? 200
  let height = arguments.dropFirst(2).first.flatMap(Int.init) ?? 60
  let result = DashboardBenchmark.run(frames: frames, size: TerminalSize(width: width, height: height))
  print(result.report)
}

enum DashboardBenchmark {
  struct Result {
    var size: TerminalSize
    var frames: Int
    var renderNanoseconds: [Int64]
    var diffNanoseconds: [Int64]
    var changedCells: [Int]

    var report: String {
      func percentile(_ values: [Int64], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
      }
      func mean(_ values: [Int64]) -> Double { values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) / 1000 }
      let total = zip(renderNanoseconds, diffNanoseconds).map { $0 + $1 }
      let cells = changedCells.isEmpty ? 0 : Double(changedCells.reduce(0, +)) / Double(changedCells.count)
      return """
        dashboard frame at \(size) (\(frames) frames, 40 symbols ticking 4/s, 10 frames/s):
          render + diff  mean \(format(mean(total))) µs  p50 \(format(percentile(total, 0.5))) µs  p99 \(format(percentile(total, 0.99))) µs
          render         mean \(format(mean(renderNanoseconds))) µs  p99 \(format(percentile(renderNanoseconds, 0.99))) µs
          diff           mean \(format(mean(diffNanoseconds))) µs  p99 \(format(percentile(diffNanoseconds, 0.99))) µs
          changed cells per frame: mean \(format(cells)) of \(size.width * size.height)
        """
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
  }

  static func run(frames: Int, size: TerminalSize) -> Result {
    let market = SimulatedMarket(seed: 8)
    let start = Date(timeIntervalSince1970: 1_764_374_400)
    var instant = MarketInstant(nanoseconds: 3_600_000_000_000)
    let symbols = Immortal.all.flatMap(\.defaultSymbols)
    let providers: [ProviderID] = [SimulatedMarketSetup.alpha, SimulatedMarketSetup.beta]

    func served(_ symbol: Symbol, index: Int) -> ServedQuote? {
      guard let tick = market.tick(for: symbol, at: instant) else { return nil }
      let time = start.addingTimeInterval(Double(instant.nanoseconds) / 1e9)
      let change = tick.price - tick.previousClose
      let quote = Quote(
        symbol: symbol, price: tick.price, change: change, changePercent: change / tick.previousClose * 100,
        previousClose: tick.previousClose, asOf: time, receivedAt: time, source: providers[index % providers.count],
        isSimulated: true)
      return ServedQuote(quote: quote, isStale: false, age: .zero, origin: .upstream)
    }

    var snapshot = DashboardSnapshot(time: start.addingTimeInterval(Double(instant.nanoseconds) / 1e9))
    snapshot.watchlists = WatchlistBook.defaults
    for (index, symbol) in symbols.enumerated() { snapshot.quotes[symbol] = served(symbol, index: index) }
    snapshot.providers = SimulatedMarketSetup.providers(market: market, clock: SystemClock()).map {
      ProviderStatus(id: $0.provider.id, priority: $0.priority, isSimulated: true)
    }
    var statistics = CacheStatistics(tier: "memory", maximumEntries: 50_000, maximumBytes: 64 << 20)
    statistics.entries = symbols.count
    snapshot.cacheTiers = [statistics]
    var state = DashboardState(size: size, now: snapshot.time)
    _ = update(&state, .snapshot(snapshot))

    var previous = render(state)
    var buffer = ScreenBuffer(size: size)
    var result = Result(size: size, frames: frames, renderNanoseconds: [], diffNanoseconds: [], changedCells: [])
    result.renderNanoseconds.reserveCapacity(frames)
    result.diffNanoseconds.reserveCapacity(frames)
    let clock = ContinuousClock()
    var next = 0
    for _ in 0..<frames {
      // 100 ms pass: 40 symbols x 4 ticks/s = 16 quote updates per frame.
      instant = instant + .milliseconds(100)
      for _ in 0..<16 {
        if let quote = served(symbols[next % symbols.count], index: next) { _ = update(&state, .quoteUpdated(quote)) }
        next += 1
      }
      _ = update(&state, .tick(start.addingTimeInterval(Double(instant.nanoseconds) / 1e9)))
      let renderStart = clock.now
      render(state, into: &buffer)
      let renderEnd = clock.now
      let runs = buffer.changes(since: previous)
      let diffEnd = clock.now
      result.renderNanoseconds.append((renderEnd - renderStart).nanoseconds)
      result.diffNanoseconds.append((diffEnd - renderEnd).nanoseconds)
      result.changedCells.append(runs.reduce(0) { $0 + $1.cells.count })
      swap(&previous, &buffer)
    }
    return result
  }
}

/// `lianyaohu-bench dashboard [FRAMES] [WIDTH] [HEIGHT]`: render plus diff time per frame.
struct DashboardBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard", abstract: "Dashboard render plus diff time per frame (pure renderer, no terminal).")

  @Argument(help: "Frames to render, then width and height (default 3000 200 60).")
  var arguments: [String] = []

  func run() {
    runDashboardBenchmark(arguments: arguments)
  }
}
