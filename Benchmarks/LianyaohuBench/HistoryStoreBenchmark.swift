import ArgumentParser
import CacheTiers
import Foundation
import MarketCore
import MarketTesting

/// History out of the SQLite tier: a ten-year daily series (the tier alone, and through a
/// core whose memory is empty, as after a restart), a million minute bars read block by block
/// as a stream would, and what a bar costs in the file and in the Redis codec.
struct HistoryStoreBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history-store",
    abstract: "History from SQLite: 10y daily series load time, minute bars per second, bytes per bar.")

  @Option(help: "Runs per measurement; the median is reported.")
  var runs = 15

  @Option(help: "Minute bars written and read back block by block (a UTC day of 1440 per block).")
  var minuteBars = 1_000_000

  @Option(help: "Keep the SQLite file here for inspection (default: a temporary file, removed).")
  var database: String?

  func run() async throws {
    #if DEBUG
      print("warning: debug build; use `swift build -c release --product lianyaohu-bench` for real figures")
    #endif
    guard runs > 0, minuteBars > 0 else { throw ValidationError("--runs and --minute-bars must be positive") }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = database ?? directory.appendingPathComponent("history.sqlite").path
    let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    let clock = ManualClock(wallOrigin: now)
    var options = SQLiteQuoteTier.Options()
    options.maximumHistoryBars = 100_000_000
    let tier = try SQLiteQuoteTier(path: path, options: options, clock: clock)
    print(
      "lianyaohu-bench history-store: \(ProcessInfo.processInfo.activeProcessorCount) cores, SQLite (WAL) at \(path), "
        + "\(runs) runs")

    // Ten years of daily bars, one block per month.
    let request = try HistoryRequest(symbol: Symbol("AAPL"), interval: .oneDay, window: .range(.tenYears))
    let (from, to) = request.window.bounds(now: now)
    let daily = Self.blocks(Symbol("AAPL"), .oneDay, from: from, to: to, receivedAt: now)
    tier.store(daily)
    await tier.flush()
    let dailyBars = daily.reduce(0) { $0 + $1.bars.count }
    let blocks = daily.map(\.block)
    print("10y daily: \(blocks.count) blocks, \(dailyBars) bars")
    _ = await tier.load(blocks)
    var samples: [Double] = []
    for _ in 0..<runs {
      var found = 0
      samples.append(await elapsedNanoseconds { found = await tier.load(blocks).count } / 1e6)
      guard found == blocks.count else { throw ValidationError("the tier returned \(found) of \(blocks.count) blocks") }
    }
    print(Measurement(name: "10y daily, SQLiteQuoteTier.load (\(blocks.count) blocks)", samples: samples, unit: "ms").line)

    // The same through a core with empty memory, as the first read after a restart: the tier
    // walk, the validation of every bar, assembling the series.
    samples = []
    let upstream = ScriptedHistoryProvider(id: "upstream", clock: clock)
    for _ in 0..<runs {
      let core = MarketDataCore(providers: [ProviderRegistration(upstream)], clock: clock, tiers: [tier])
      var bars = 0
      samples.append(await elapsedNanoseconds { bars = (try? await core.history(request).value.bars.count) ?? 0 } / 1e6)
      guard bars > 0 else { throw ValidationError("the core served no bars") }
    }
    guard upstream.callCount == 0 else { throw ValidationError("the core asked the provider \(upstream.callCount) times") }
    print(Measurement(name: "10y daily, core.history with empty memory", samples: samples, unit: "ms").line)

    // A million minute bars, around the clock (crypto): one block per UTC day.
    let days = (minuteBars + 1_439) / 1_440
    let minuteEnd = Int64(now.timeIntervalSince1970) / 86_400 * 86_400
    let minuteBlocks = Self.blocks(
      Symbol("BTC-USD"), .oneMinute, from: minuteEnd - Int64(days) * 86_400, to: minuteEnd, receivedAt: now)
    let minuteTotal = minuteBlocks.reduce(0) { $0 + $1.bars.count }
    let write = await elapsedNanoseconds {
      for start in stride(from: 0, to: minuteBlocks.count, by: 16) {
        tier.store(Array(minuteBlocks[start..<min(start + 16, minuteBlocks.count)]))
        await tier.flush()
      }
    }
    print(
      "1m: \(minuteBlocks.count) blocks, \(minuteTotal) bars written in \(String(format: "%.1f", write / 1e9)) s "
        + "(\(Int(Double(minuteTotal) / (write / 1e9))) bars/s, one transaction per 16 blocks)")
    samples = []
    for _ in 0..<max(1, runs / 5) {
      var read = 0
      let nanoseconds = await elapsedNanoseconds {
        for block in minuteBlocks { read += await tier.load([block.block]).first?.value.bars.count ?? 0 }
      }
      guard read == minuteTotal else { throw ValidationError("read \(read) of \(minuteTotal) minute bars") }
      samples.append(Double(read) / (nanoseconds / 1e9))
    }
    print(Measurement(name: "1m bars read block by block", samples: samples, unit: "bars/s").line)

    let bytes = tier.statistics.bytes
    let totalBars = dailyBars + minuteTotal
    print(
      "file: \(bytes) bytes for \(totalBars) bars = \(String(format: "%.1f", Double(bytes) / Double(totalBars))) bytes per bar")

    // The Redis codec, per bar.
    for (name, block) in [("daily block (a month)", daily[daily.count / 2]), ("minute block (a day)", minuteBlocks[0])] {
      let plain = BarBlockCodec.encode(block, compressAbove: .max).count
      let compressed = BarBlockCodec.encode(block, compressAbove: 512).count
      print(
        "codec, \(name), \(block.bars.count) bars: \(plain) bytes plain, \(compressed) compressed "
          + "(\(String(format: "%.1f", Double(compressed) / Double(max(1, block.bars.count)))) bytes per bar)")
    }
  }

  /// Blocks of a seeded random walk over `[from, to)`: weekday daily bars, or intraday bars
  /// around the clock, none after `receivedAt`.
  static func blocks(_ symbol: Symbol, _ interval: BarInterval, from: Int64, to: Int64, receivedAt: Date) -> [BarBlock] {
    var random = SeededRandom(seed: 42)
    var price = 100.0
    let last = Int64(receivedAt.timeIntervalSince1970)
    let step = interval.isIntraday ? interval.seconds : 86_400
    return HistoryBlock.covering(symbol, interval, from: from, to: to).map { block in
      var bars: [Bar] = []
      var start = block.start
      while start < block.end, start <= last {
        if interval.isIntraday || (start / 86_400 + 3) % 7 < 5 {
          let open = price
          price *= 1 + random.nextGaussian() * 0.01
          let close = (price * 100).rounded() / 100
          let high = max(open, close) * (1 + random.nextUnit() * 0.005)
          let low = min(open, close) * (1 - random.nextUnit() * 0.005)
          bars.append(
            Bar(
              start: start, open: open, high: high, low: low, close: close, adjustedClose: close * 0.97,
              volume: (random.nextUnit() * 1e6).rounded()))
          price = close
        }
        start += step
      }
      return BarBlock(
        block: block, bars: bars, currency: "USD", exchangeTimeZone: "America/New_York", source: "bench", receivedAt: receivedAt,
        isSimulated: false)
    }
  }
}
