import ArgumentParser

/// Benchmarks with figures quoted in docs/PERFORMANCE.md. Run them in release:
/// `swift run -c release lianyaohu-bench <suite>`.
@main
struct LianyaohuBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lianyaohu-bench",
    abstract: "Measure the market-data core. Build with -c release for meaningful numbers.",
    subcommands: [
      CoreBenchmark.self, RoutingBenchmark.self, DashboardBenchmarkCommand.self, HTTPBenchmark.self, PrefetchBenchmark.self,
      RedisBenchmark.self, EntrySizeBenchmark.self, HistoryStoreBenchmark.self,
    ])
}
