import MarketCore
import Prometheus
import Synchronization

/// Renders `/metrics`: brings the values that are read rather than counted (cache counters,
/// breaker states, process use) up to date, then emits the registry in Prometheus text format
/// with a `# HELP` line for every metric.
final class MetricsExporter: Sendable {
  static let contentType = "text/plain; version=0.0.4; charset=utf-8"

  let core: MarketDataCore
  let registry: PrometheusCollectorRegistry
  let streams: StreamLimiter
  /// CPU seconds already added to the counter (a counter only moves by increments).
  private let reportedCPUSeconds = Mutex<Double>(0)

  init(core: MarketDataCore, registry: PrometheusCollectorRegistry, streams: StreamLimiter) {
    self.core = core
    self.registry = registry
    self.streams = streams
  }

  func scrape() -> [UInt8] {
    update()
    return Self.addingHelp(to: registry.emitToBuffer())
  }

  private func update() {
    core.recordCacheMetrics()
    for statistics in core.cacheStatistics() {
      if let ratio = statistics.hitRatio {
        gauge(APIMetrics.cacheHitRatio, [("tier", statistics.tier)]).set(to: ratio)
      }
      gauge(APIMetrics.cacheTierUp, [("tier", statistics.tier)]).set(to: statistics.unavailable == nil ? 1 : 0)
    }
    for status in core.providerStatuses() {
      for state in BreakerState.allCases {
        gauge(APIMetrics.breakerState, [("provider", status.id.name), ("state", state.rawValue)])
          .set(to: status.breaker.state == state ? 1 : 0)
      }
      gauge(APIMetrics.providerUp, [("provider", status.id.name)]).set(to: status.isUp ? 1 : 0)
      if let budget = status.budget {
        gauge(APIMetrics.budgetLocalShare, [("provider", status.id.name)])
          .set(to: budget.isShared ? 0 : Double(budget.divisor))
      }
    }
    gauge(APIMetrics.streamClients).set(to: Double(streams.openCount))

    let process = ProcessStatistics.current()
    if let bytes = process.residentBytes { gauge(APIMetrics.residentMemory).set(to: Double(bytes)) }
    if let bytes = process.virtualBytes { gauge(APIMetrics.virtualMemory).set(to: Double(bytes)) }
    if let start = process.startTimeSeconds { gauge(APIMetrics.startTime).set(to: start) }
    if let count = process.openFileDescriptors { gauge(APIMetrics.openFileDescriptors).set(to: Double(count)) }
    if let count = process.threads { gauge(APIMetrics.threads).set(to: Double(count)) }
    if let seconds = process.cpuSeconds {
      let counter = registry.makeCounter(descriptor: Self.descriptor(APIMetrics.cpuSeconds))
      let delta = reportedCPUSeconds.withLock { reported in
        defer { reported = max(reported, seconds) }
        return seconds - reported
      }
      if delta > 0 { counter.increment(by: delta) }
    }
  }

  private func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
    labels.isEmpty
      ? registry.makeGauge(descriptor: Self.descriptor(name))
      : registry.makeGauge(descriptor: Self.descriptor(name), labels: labels)
  }

  private static func descriptor(_ name: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: APIMetrics.help[name] ?? "")
  }

  /// Puts `# HELP name text` before each `# TYPE name kind` line.
  static func addingHelp(to exposition: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(exposition.count + 4096)
    let typePrefix = Array("# TYPE ".utf8)
    var start = 0
    while start < exposition.count {
      let end = exposition[start...].firstIndex(of: UInt8(ascii: "\n")) ?? exposition.count
      let line = exposition[start..<end]
      // Metrics made here carry their help already; those from swift-metrics cannot.
      if line.starts(with: typePrefix), output.isEmpty || !Self.endsWithHelpLine(output) {
        let rest = line.dropFirst(typePrefix.count)
        let name = String(decoding: rest.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        let text = APIMetrics.help[name] ?? "Lianyaohu metric \(name)."
        output.append(contentsOf: Array("# HELP \(name) \(text)\n".utf8))
      }
      output.append(contentsOf: line)
      output.append(UInt8(ascii: "\n"))
      start = end + 1
    }
    return output
  }

  private static func endsWithHelpLine(_ output: [UInt8]) -> Bool {
    let withoutNewline = output.dropLast()
    let lineStart = withoutNewline.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    return output[lineStart...].starts(with: Array("# HELP ".utf8))
  }
}
