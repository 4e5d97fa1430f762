import Metrics
import Synchronization

/// swift-metrics can be bootstrapped once per process, but one test process holds suites
/// that each want their own backend (a Prometheus registry, a capturing TestMetrics). This
/// factory is bootstrapped once and fans every metric created after a backend joined out to
/// it, so each suite adds its backend instead of bootstrapping.
public final class SharedMetricsFactory: MetricsFactory, Sendable {
  public static let shared: SharedMetricsFactory = {
    let factory = SharedMetricsFactory()
    MetricsSystem.bootstrap(factory)
    return factory
  }()

  private let factories = Mutex<[any MetricsFactory & Sendable]>([])

  /// Adds a backend; metrics created from now on report to it too.
  public func add(_ factory: any MetricsFactory & Sendable) {
    factories.withLock { $0.append(factory) }
  }

  private var multiplex: MultiplexMetricsHandler {
    MultiplexMetricsHandler(factories: factories.withLock { $0 })
  }

  public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
    multiplex.makeCounter(label: label, dimensions: dimensions)
  }

  public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
    multiplex.makeFloatingPointCounter(label: label, dimensions: dimensions)
  }

  public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
    multiplex.makeMeter(label: label, dimensions: dimensions)
  }

  public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
    multiplex.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
  }

  public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
    multiplex.makeTimer(label: label, dimensions: dimensions)
  }

  public func destroyCounter(_ handler: any CounterHandler) { multiplex.destroyCounter(handler) }
  public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
    multiplex.destroyFloatingPointCounter(handler)
  }
  public func destroyMeter(_ handler: any MeterHandler) { multiplex.destroyMeter(handler) }
  public func destroyRecorder(_ handler: any RecorderHandler) { multiplex.destroyRecorder(handler) }
  public func destroyTimer(_ handler: any TimerHandler) { multiplex.destroyTimer(handler) }
}
