import CacheTiers
import ControlAPI
import Foundation
import LianyaohuConfig
import Logging
import MarketCore
import ServiceLifecycle
import UnixSignals

/// What a command runs, built one way for every command (and for the tests): the core, the
/// cache tiers and cluster bus its configuration asks for, and whichever of the refresh loop,
/// watchlist saving and the control API the command needs; the command adds its own front
/// (a dashboard, a feed) and runs the lot. No command assembles a `ServiceGroup` by hand.
struct App {
  /// What a command needs besides the core.
  struct Needs: OptionSet, Sendable {
    let rawValue: Int
    /// SQLite and Redis as configured, the cluster bus, operator state kept in Redis and
    /// cluster-wide provider budgets, memory warmed from them at start.
    static let tiers = Needs(rawValue: 1 << 0)
    /// The loop that keeps every active watchlist symbol fresh.
    static let refresh = Needs(rawValue: 1 << 1)
    /// Watchlist edits, from anywhere, saved to the config file.
    static let persistence = Needs(rawValue: 1 << 2)
  }

  let core: MarketDataCore
  /// The persistent tier, for sparkline history; nil when it is not configured or would not open.
  let sqlite: SQLiteQuoteTier?
  /// In start order; a `ServiceGroup` stops them in reverse, so the front ends first and the
  /// tier writers flush last.
  private(set) var services: [ServiceGroupConfiguration.ServiceConfiguration]

  static func build(
    _ configuration: AppConfiguration, needs: Needs, api: APIConfiguration? = nil, logger: Logger,
    clock: any MarketClock = SystemClock(), environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> App {
    let tiers = needs.contains(.tiers) ? TierAssembly.assemble(configuration, environment: environment, logger: logger) : nil
    let instanceID = ClusterBus.makeInstanceID()
    // The core versions operator state in this instance's name (the tiebreak between instances).
    var configuration = configuration
    configuration.core.instanceID = instanceID
    let budget = tiers?.redis.map { redis in
      var options = RedisClusterBudget.Options()
      options.prefix = configuration.tiers.redis.prefix
      options.timeout = configuration.tiers.redis.commandTimeout
      return RedisClusterBudget(client: redis, instanceID: instanceID, options: options, clock: clock, logger: logger)
    }
    let flights = tiers?.redis.map { redis in
      var options = RedisFlightLeases.Options()
      options.prefix = configuration.tiers.redis.prefix
      // A claim precedes an upstream call the read waits for anyway, and giving up on it costs
      // the fleet a second call: it may wait longer than a cache read (a dead Redis fails at once).
      options.timeout = max(configuration.tiers.redis.commandTimeout * 4, .seconds(1))
      options.lease = configuration.tiers.redis.flightLease
      return RedisFlightLeases(client: redis, instanceID: instanceID, options: options, clock: clock, logger: logger)
    }
    let core = makeCore(
      configuration: configuration, clock: clock, tiers: tiers?.tiers ?? [], budget: budget, flights: flights)
    var services = tiers?.services ?? []
    var operatorState: OperatorStateStore?
    if let redis = tiers?.redis {
      let bus = ClusterBus(
        client: redis, channel: configuration.tiers.redis.prefix + "events", instanceID: instanceID, core: core,
        logger: logger)
      var options = OperatorStateStore.Options()
      options.prefix = configuration.tiers.redis.prefix
      options.reconcileInterval = configuration.tiers.redis.reconcileInterval
      let store = OperatorStateStore(
        client: redis, core: core, options: options, clock: clock, logger: logger,
        announce: { action, version in bus.announce(action, version: version) })
      operatorState = store
      services.append(.init(service: bus))
      services.append(.init(service: store))
      logger.notice(
        "sharing the cache, operator actions, provider budgets and upstream calls through Redis",
        metadata: ["instance": "\(instanceID)"])
    }
    if let budget { services.append(.init(service: budget)) }
    if let flights { services.append(.init(service: flights)) }
    if needs.contains(.refresh) {
      let warm = !(tiers?.tiers.isEmpty ?? true)
      services.append(.init(service: RefreshService(loop: RefreshLoop(core: core), warmFirst: warm)))
    }
    if needs.contains(.persistence), let file = configuration.file {
      services.append(.init(service: WatchlistPersistenceService(core: core, path: file, logger: logger)))
    }
    if let api {
      let server = APIServing.server(core: core, configuration: api, logger: logger)
      if let operatorState {
        // Serve with the trips, disables and watchlists the fleet already has, unless Redis
        // cannot say so soon: then serve anyway, and reconcile when it answers.
        let patience = configuration.tiers.redis.connectTimeout + configuration.tiers.redis.commandTimeout * 2
        services.append(
          .init(
            service: StartingAfter(server, logger: logger) {
              await operatorState.waitForFirstReconciliation(atMost: patience)
            }))
      } else {
        services.append(.init(service: server))
      }
    }
    return App(core: core, sqlite: tiers?.sqlite, services: services)
  }

  /// Adds the command's own front. With `endsRun`, the whole application stops when it does
  /// (the dashboard on `q`, a feed after its last frame).
  mutating func add(_ service: some Service, endsRun: Bool = false) {
    services.append(endsRun ? Self.endingRun(service) : .init(service: service))
  }

  /// A service whose end, however it ends, stops the rest gracefully.
  static func endingRun(_ service: some Service) -> ServiceGroupConfiguration.ServiceConfiguration {
    .init(
      service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup
    )
  }

  /// Runs every service until one that ends the run ends, or a signal in `signals` arrives.
  func run(until signals: [UnixSignal], logger: Logger) async throws {
    try await Self.run(services, until: signals, logger: logger)
  }

  /// Runs services that need no core (`simulate`, `dash --connect`) the same way.
  static func run(
    _ services: [ServiceGroupConfiguration.ServiceConfiguration], until signals: [UnixSignal], logger: Logger
  ) async throws {
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    try await group.run()
  }
}

/// A service that starts once `ready` has returned (which must not wait long): the control
/// API after the first reconciliation of operator state.
struct StartingAfter<Wrapped: Service>: Service {
  let wrapped: Wrapped
  let logger: Logger
  let ready: @Sendable () async -> Bool

  init(_ wrapped: Wrapped, logger: Logger, ready: @escaping @Sendable () async -> Bool) {
    self.wrapped = wrapped
    self.logger = logger
    self.ready = ready
  }

  func run() async throws {
    if await !ready() {
      logger.warning("serving before the operator state could be read from Redis; it is applied when Redis answers")
    }
    try await wrapped.run()
  }
}
