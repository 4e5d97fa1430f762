import ControlAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import Prometheus
import Testing

/// swift-metrics is bootstrapped once per process (by SharedMetricsFactory, which other
/// suites share); every test core created after this joins reports into this registry.
let sharedRegistry: PrometheusCollectorRegistry = {
  let registry = PrometheusCollectorRegistry()
  SharedMetricsFactory.shared.add(APIMetrics.factory(registry: registry))
  return registry
}()

/// A core over one scripted provider on a manual clock, with the API in front of it, driven
/// through Hummingbird's router test mode (no sockets).
struct APIHarness {
  static let unknown = Symbol("ZZZZ")

  let clock: ManualClock
  let provider: ScriptedProvider
  let core: MarketDataCore
  let configuration: APIConfiguration

  init(
    token: String? = nil, providerID: ProviderID = "alpha", registerProvider: Bool = true, tiers: [any QuoteTier] = [],
    limits: ProviderLimitsConfiguration = ProviderLimitsConfiguration(), budget: (any ClusterBudget)? = nil,
    configure: (inout APIConfiguration) -> Void = { _ in }
  ) {
    _ = sharedRegistry
    let clock = ManualClock()
    let provider = ScriptedProvider(id: providerID, capabilities: ProviderCapabilities(maximumBatchSize: 50)) { symbols in
      let now = clock.wallNow()
      var results: [Symbol: Result<Quote, ProviderError>] = [:]
      for symbol in symbols {
        results[symbol] =
          symbol == APIHarness.unknown
          ? .failure(.unknownSymbol(symbol))
          : .success(
            Quote(
              symbol: symbol, price: 100, change: 1, changePercent: 1.01, volume: 1_000, currency: "USD", asOf: now,
              receivedAt: now, source: providerID, isSimulated: false))
      }
      return results
    }
    var coreConfiguration = CoreConfiguration()
    coreConfiguration.watchlists = [.luDongbin: Watchlist(symbols: [Symbol("AAPL"), Symbol("NVDA")])]
    self.clock = clock
    self.provider = provider
    self.core = MarketDataCore(
      providers: registerProvider ? [ProviderRegistration(provider, limits: limits)] : [], configuration: coreConfiguration,
      clock: clock, tiers: tiers, budget: budget)
    var configuration = APIConfiguration(metricsRegistry: sharedRegistry)
    configuration.token = token.flatMap(APIToken.init)
    configure(&configuration)
    self.configuration = configuration
  }

  var router: Hummingbird.Router<APIRequestContext> { buildControlAPIRouter(core: core, configuration: configuration) }

  func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let app = Application(router: router)
    try await app.test(.router, body)
  }
}

extension TestResponse {
  /// The body as a JSON object (failing the test when it is not one).
  var object: [String: Any] {
    let value = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))
    #expect(value is [String: Any], "not a JSON object: \(String(buffer: body))")
    return value as? [String: Any] ?? [:]
  }

  var text: String { String(buffer: body) }

  /// The `error.class` of a JSON error body.
  var errorClass: String? { (object["error"] as? [String: Any])?["class"] as? String }
}

extension TestClientProtocol {
  func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
    try await execute(uri: uri, method: .get, headers: headers)
  }

  func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil) async throws -> TestResponse {
    var headers: HTTPFields = [:]
    if json != nil { headers[.contentType] = "application/json" }
    if let token { headers[.authorization] = "Bearer \(token)" }
    return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
  }
}
