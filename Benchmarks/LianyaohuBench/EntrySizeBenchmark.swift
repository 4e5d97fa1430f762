import ArgumentParser
import CacheTiers
import Foundation
import MarketCore
import MarketTesting

/// Bytes per stored quote: the codec plain and compressed against JSON, and what the SQLite
/// tier's file costs per symbol once it holds a full history.
struct EntrySizeBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "entry-size", abstract: "Bytes per stored quote (codec, compressed, JSON) and SQLite bytes per symbol.")

  @Option(help: "Quotes stored per symbol into SQLite, one per simulated second.")
  var ticks = 240

  @Option(help: "History kept per symbol by the SQLite tier.")
  var historyLength = 240

  @Option(help: "Keep the SQLite file here for inspection (default: a temporary file, removed).")
  var database: String?

  func run() async throws {
    let symbols = Immortal.all.flatMap(\.defaultSymbols)
    let clock = ManualClock()
    let provider = SimulatedProvider(
      id: SimulatedMarketSetup.alpha, market: SimulatedMarket(), clock: clock,
      behaviour: SimulatedBehaviour(latency: .instant))
    clock.advance(by: .seconds(600))
    let quotes = try await Self.quotes(provider, symbols)
    print("lianyaohu-bench entry-size: \(quotes.count) simulated quotes of the default watchlists")

    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = try quotes.map { try encoder.encode($0).count }
    let plain = quotes.map { QuoteEntryCodec.encode($0, compressAbove: .max).count }
    let compressed = quotes.map { QuoteEntryCodec.encode($0, compressAbove: 0).count }
    let compressedCount = quotes.filter { QuoteEntryCodec.encode($0, compressAbove: 0)[1] & 1 != 0 }.count
    print(Self.row("codec, plain", plain))
    print(Self.row("codec, compressed when smaller (threshold 0)", compressed) + "  \(compressedCount) compressed")
    print(Self.row("JSONEncoder of Quote", json))
    for measurement in try await timings(quotes) { print(measurement.line) }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = database ?? directory.appendingPathComponent("quotes.sqlite").path
    var pageBytes = 0
    do {
      let tier = try SQLiteQuoteTier(path: path, options: .init(historyLength: historyLength), clock: clock)
      for _ in 0..<ticks {
        clock.advance(by: .seconds(1))
        tier.store(try await Self.quotes(provider, symbols))
        await tier.flush()
      }
      pageBytes = tier.statistics.bytes
      if let unavailable = tier.statistics.unavailable { print("warning: \(unavailable)") }
    }
    // Closing the last connection checkpoints the WAL into the file and removes it.
    let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let kept = min(ticks, historyLength)
    print(
      "SQLite after \(ticks) quotes per symbol (\(kept) ticks kept): file \(fileBytes) bytes, "
        + "\(fileBytes / max(1, symbols.count)) bytes per symbol, "
        + String(format: "%.1f", Double(fileBytes) / Double(max(1, symbols.count * kept))) + " bytes per tick "
        + "(pages while open: \(pageBytes / max(1, symbols.count)) bytes per symbol)")
  }

  /// What the bytes cost in CPU, per quote: the case for a compression threshold.
  func timings(_ quotes: [Quote]) async throws -> [Measurement] {
    let plain = quotes.map { QuoteEntryCodec.encode($0, compressAbove: .max) }
    let compressed = quotes.map { QuoteEntryCodec.encode($0, compressAbove: 0) }
    let rounds = 500
    func measure(_ name: String, _ body: () throws -> Int) async rethrows -> Measurement {
      var samples: [Double] = []
      for _ in 0..<5 {
        var total = 0
        let nanoseconds = try await elapsedNanoseconds { total = try body() }
        blackHole(total)
        samples.append(nanoseconds / Double(rounds * quotes.count))
      }
      return Measurement(name: name, samples: samples, unit: "ns/quote")
    }
    return try await [
      measure("encode, plain") { Self.encodeAll(quotes, rounds, threshold: .max) },
      measure("encode, compressed (threshold 0)") { Self.encodeAll(quotes, rounds, threshold: 0) },
      measure("decode, plain") { try Self.decodeAll(plain, rounds) },
      measure("decode, compressed") { try Self.decodeAll(compressed, rounds) },
    ]
  }

  @inline(never)
  static func encodeAll(_ quotes: [Quote], _ rounds: Int, threshold: Int) -> Int {
    var bytes = 0
    for _ in 0..<rounds {
      for quote in quotes { bytes &+= QuoteEntryCodec.encode(quote, compressAbove: threshold).count }
    }
    return bytes
  }

  @inline(never)
  static func decodeAll(_ entries: [[UInt8]], _ rounds: Int) throws -> Int {
    var volume = 0
    for _ in 0..<rounds {
      for entry in entries { volume &+= Int(try QuoteEntryCodec.decode(entry).volume ?? 0) }
    }
    return volume
  }

  static func quotes(_ provider: SimulatedProvider, _ symbols: [Symbol]) async throws -> [Quote] {
    let results = try await provider.quotes(for: symbols)
    return try symbols.compactMap { try results[$0]?.get() }
  }

  static func row(_ name: String, _ sizes: [Int]) -> String {
    let mean = Double(sizes.reduce(0, +)) / Double(max(1, sizes.count))
    return name.padding(toLength: 46, withPad: " ", startingAt: 0)
      + String(format: "mean %6.1f bytes  (min %d, max %d)", mean, sizes.min() ?? 0, sizes.max() ?? 0)
  }
}
