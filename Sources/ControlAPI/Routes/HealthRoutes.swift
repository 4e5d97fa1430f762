import ControlAPIClient
import Hummingbird
import MarketCore

/// `/healthz` (the process answers) and `/readyz` (it can serve quotes: a provider is usable).
extension ControlAPIBuilder {
  struct Health: Encodable {
    var status: String
  }

  struct Readiness: Encodable {
    var ready: Bool
    var usableProviders: Int
    var providers: Int
    /// Every cache tier below L1 and whether it works. A tier that is down does not make the
    /// instance unready: it serves from L1 and the providers meanwhile.
    var tiers: [TierReadiness]

    enum CodingKeys: String, CodingKey {
      case ready
      case usableProviders = "usable_providers"
      case providers
      case tiers
    }
  }

  struct TierReadiness: Encodable {
    var tier: String
    var up: Bool
    var reason: String?
  }

  func addHealthRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/healthz") { _, _ in JSONBody.response(Health(status: "ok")) }
    routes.on(.get, "/readyz") { [core] _, _ in
      let statuses = core.providerStatuses()
      let usable = statuses.filter(\.isUp).count
      return JSONBody.response(
        Readiness(
          ready: usable > 0, usableProviders: usable, providers: statuses.count,
          tiers: core.cacheStatistics().dropFirst().map {
            TierReadiness(tier: $0.tier, up: $0.unavailable == nil, reason: $0.unavailable)
          }),
        status: usable > 0 ? .ok : .serviceUnavailable)
    }
    let exporter = MetricsExporter(core: core, registry: configuration.metricsRegistry, streams: streams)
    routes.on(.get, "/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: MetricsExporter.contentType],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: exporter.scrape())))
    }
  }
}
