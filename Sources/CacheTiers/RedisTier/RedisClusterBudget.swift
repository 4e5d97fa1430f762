import Foundation
import Logging
import MarketCore
import ServiceLifecycle
import Synchronization

/// Provider budgets counted in Redis for every instance at once (see ``script`` for the
/// windows: a sliding minute and a fixed UTC day), under `prefix + v1:budget:PROVIDER:minute`
/// and `…:day`, with the live instances under `prefix + v1:budget:instances`.
///
/// Each call runs one script (`EVALSHA`, and `EVAL` when the server lost it, after
/// `SCRIPT FLUSH` or a restart) within ``Options/timeout``. When Redis is unreachable, errs or
/// is slower than that, the call is counted here instead, at this instance's share of each
/// limit: the limit divided by the last-known number of live instances (``LocalBudgetShare``),
/// and the decision says so. ``run()`` announces the instance every
/// ``Options/heartbeatInterval`` so idle instances count as live, and withdraws it on shutdown.
public final class RedisClusterBudget: ClusterBudget, Service {
  public struct Options: Sendable {
    /// Every key starts with this (the Redis tier's prefix).
    public var prefix = "lianyaohu:"
    /// The longest a call waits for Redis before it is counted locally.
    public var timeout: Duration = .milliseconds(250)
    /// How often ``run()`` announces this instance.
    public var heartbeatInterval: Duration = .seconds(5)
    /// An instance not heard from for this long no longer counts as live.
    public var liveWindow: Duration = .seconds(30)
    /// Windows follow Redis's own clock (`TIME`), so instances whose clocks differ still agree;
    /// false uses the injected clock's wall time (for tests).
    public var usesServerTime = true

    public init() {}
  }

  public let instanceID: String
  public let options: Options
  private let client: RedisClient
  private let clock: any MarketClock
  private let logger: Logger
  private let state = Mutex(State())
  private let spending = RedisScript(RedisClusterBudget.script)

  private struct State {
    /// Live instances as Redis last counted them (this one included); 1 until it answers.
    var liveInstances = 1
    var shares: [ProviderID: LocalBudgetShare] = [:]
    /// Why the last call or heartbeat could not use Redis; nil while Redis answers.
    var fallbackReason: String? = RedisClusterBudget.notYetAsked
    var nextMember: UInt64 = 0
    var statistics = Statistics()
  }

  /// What the budget did, for tests and diagnostics.
  public struct Statistics: Hashable, Sendable {
    public var sharedDecisions = 0
    public var localDecisions = 0
    /// Times the server had lost the script (`NOSCRIPT`) and it was sent again with `EVAL`.
    public var scriptReloads = 0
  }

  public init(
    client: RedisClient, instanceID: String, options: Options = Options(), clock: any MarketClock = SystemClock(),
    logger: Logger
  ) {
    self.client = client
    self.instanceID = instanceID
    self.options = options
    self.clock = clock
    self.logger = logger
  }

  /// Live instances as Redis last counted them; 1 until it has answered once.
  public var liveInstances: Int { state.withLock { $0.liveInstances } }

  /// Why the budget counts locally before Redis has been asked at all.
  static let notYetAsked = "redis not asked yet"

  /// Cluster-wide while the last call or heartbeat reached Redis, else the local share and why.
  public var mode: BudgetMode {
    state.withLock { state in
      state.fallbackReason.map { .localShare(instances: state.liveInstances, reason: $0) }
        ?? .shared(liveInstances: state.liveInstances)
    }
  }

  public var statistics: Statistics {
    var statistics = state.withLock { $0.statistics }
    statistics.scriptReloads = spending.reloads
    return statistics
  }

  /// The keys of one provider's minute log and day count.
  public func keys(for provider: ProviderID) -> (minute: String, day: String) {
    let base = options.prefix + "v1:budget:" + provider.name
    return (base + ":minute", base + ":day")
  }

  /// The sorted set of live instances.
  public var instancesKey: String { options.prefix + "v1:budget:instances" }

  // MARK: ClusterBudget

  public func spend(_ provider: ProviderID, limits: BudgetLimits) async -> BudgetDecision {
    let reply = await RedisClient.within(options.timeout) { () async throws(RedisError) -> Reply in
      try await self.evaluate(provider: provider, limits: limits)
    }
    switch reply {
    case .success(let reply): return shared(reply)
    case .failure(let error): return local(provider, limits: limits, because: error)
    }
  }

  private func shared(_ reply: Reply) -> BudgetDecision {
    state.withLock { $0.statistics.sharedDecisions += 1 }
    reached(reply)
    let refusal: ProviderSkip.Reason? =
      switch reply.refusal {
      case .admitted: nil
      case .rate: .rateLimited(retryIn: .milliseconds(max(1, reply.retryMilliseconds)))
      case .quota: .quotaExhausted
      }
    return BudgetDecision(refusal: refusal, mode: .shared(liveInstances: max(1, reply.liveInstances)))
  }

  /// Redis answered: note the live instances, and say so if it had not before.
  private func reached(_ reply: Reply) {
    let recovered = state.withLock { state in
      state.liveInstances = max(1, reply.liveInstances)
      defer { state.fallbackReason = nil }
      return state.fallbackReason.map { $0 != Self.notYetAsked } ?? false
    }
    if recovered { logger.notice("provider budgets are cluster-wide again", metadata: ["instances": "\(reply.liveInstances)"]) }
  }

  /// Redis did not answer: note why, and say so if that is news. Returns the reason.
  @discardableResult
  private func missed(_ error: RedisError) -> String {
    let reason = Self.reason(error)
    let (isNews, instances) = state.withLock { state in
      defer { state.fallbackReason = reason }
      return (state.fallbackReason != reason, state.liveInstances)
    }
    if isNews {
      logger.warning(
        "provider budgets counted locally at this instance's share",
        metadata: ["share": "1/\(instances)", "reason": "\(reason)", "error": "\(error)"])
    }
    return reason
  }

  private func local(_ provider: ProviderID, limits: BudgetLimits, because error: RedisError) -> BudgetDecision {
    let reason = missed(error)
    let now = clock.now()
    let wallTime = clock.wallTime(at: now)
    return state.withLock { state in
      let instances = state.liveInstances
      // A share is kept while its limits and the instance count it divides by stay the same.
      var share =
        state.shares[provider].flatMap { $0.limits == limits && $0.instances == instances ? $0 : nil }
        ?? LocalBudgetShare(limits: limits, instances: instances, at: now)
      let refusal = share.spend(at: now, wallTime: wallTime)
      state.shares[provider] = share
      state.statistics.localDecisions += 1
      return BudgetDecision(refusal: refusal, mode: .localShare(instances: instances, reason: reason))
    }
  }

  /// Why the budget is counted locally, in a few words for the providers pane.
  static func reason(_ error: RedisError) -> String {
    switch error {
    case .unavailable: "redis unreachable"
    case .timeout: "redis timed out"
    case .authenticationFailed: "redis refused our credentials"
    case .serverError, .protocolError, .unexpectedReply, .invalidCommand: "redis error"
    }
  }

  // MARK: Service

  /// Announces this instance now and every heartbeat interval, so the others count it live
  /// even while it makes no calls; withdraws it when the service stops.
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        await self.heartbeat()
        do { try await self.clock.sleep(for: self.options.heartbeatInterval) } catch { break }
      }
    }
    do throws(RedisError) {
      _ = try await client.send(["ZREM", instancesKey, instanceID])
    } catch {
      logger.debug("could not withdraw from the live instances", metadata: ["error": "\(error)"])
    }
  }

  /// Runs the script with no limits: it only marks this instance live and counts the others,
  /// and keeps ``mode`` current while no provider calls.
  public func heartbeat() async {
    let reply = await RedisClient.within(options.timeout) { () async throws(RedisError) -> Reply in
      try await self.evaluate(provider: ProviderID("-"), limits: BudgetLimits())
    }
    switch reply {
    case .success(let reply): reached(reply)
    case .failure(let error): missed(error)
    }
  }

  // MARK: Script

  struct Reply {
    enum Refusal { case admitted, rate, quota }
    var refusal: Refusal
    var retryMilliseconds: Int64
    var usedToday: Int64
    var liveInstances: Int
  }

  private func evaluate(provider: ProviderID, limits: BudgetLimits) async throws(RedisError) -> Reply {
    let keys = keys(for: provider)
    let (now, member): (String, String) = state.withLock { state in
      defer { state.nextMember &+= 1 }
      let now = options.usesServerTime ? "" : String(Int64((clock.wallNow().timeIntervalSince1970 * 1000).rounded(.down)))
      return (now, "\(instanceID):\(state.nextMember)")
    }
    let arguments = [
      now, String(limits.requestsPerMinute ?? -1), String(limits.dailyQuota ?? -1), instanceID,
      String(RedisClient.milliseconds(options.liveWindow)), member,
    ]
    let reply = try await spending.run(
      on: client, keys: [keys.minute, keys.day, instancesKey], arguments: arguments)
    guard let values = reply.elements?.compactMap(\.integer), values.count == 5 else {
      throw .unexpectedReply("the budget script answered with a \(reply.kindName)")
    }
    let refusal: Reply.Refusal =
      switch (values[0], values[1]) {
      case (1, _): .admitted
      case (_, 2): .quota
      default: .rate
      }
    return Reply(refusal: refusal, retryMilliseconds: values[2], usedToday: values[3], liveInstances: Int(values[4]))
  }
}
