import MCP
import MarketCore

/// Provider and cache status as the control API's `/v1/providers` and `/v1/cache` bodies
/// show them (same names; durations in seconds, rates as the API gives them).
enum ProviderFields {
  static func value(_ status: ProviderStatus) -> Value {
    let breaker = status.breaker
    let health = status.health
    let limits = status.limits
    return .object([
      "id": .string(status.id.name),
      "priority": .int(status.priority),
      "simulated": .bool(status.isSimulated),
      "enabled": .bool(status.isEnabled),
      "up": .bool(status.isUp),
      "breaker": .object([
        "state": .string(breaker.state.rawValue),
        "reason": optional(breaker.lastTransitionReason),
        "failure_rate_percent": optional(breaker.failureRate),
        "slow_call_rate_percent": optional(breaker.slowCallRate),
        "failure_rate_threshold_percent": optional(breaker.failureRateThreshold),
        "slow_call_rate_threshold_percent": optional(breaker.slowCallRateThreshold),
        "buffered_calls": .int(breaker.bufferedCalls),
        "not_permitted_calls": .int(breaker.notPermittedCalls),
        "next_probe_in_seconds": optional(breaker.nextProbeIn?.seconds),
      ]),
      "health": .object([
        "latency_p50_seconds": optional(health.p50?.seconds),
        "latency_p99_seconds": optional(health.p99?.seconds),
        "latency_ewma_seconds": optional(health.ewma?.seconds),
        "error_rate": optional(health.errorRate),
        "requests_per_second": optional(health.requestsPerSecond),
        "total_requests": .int(health.totalRequests),
        "consecutive_failures": .int(health.consecutiveFailures),
        "last_error": optional(health.lastError),
      ]),
      "limits": .object([
        "maximum_concurrent": limits.maximumConcurrent.map { .int($0) } ?? .null,
        "in_flight": .int(limits.inFlight),
        "requests_per_minute": optional(limits.requestsPerMinute),
        "daily_quota": limits.dailyQuota.map { .int($0) } ?? .null,
        "quota_used": .int(limits.quotaUsed),
        "cost_per_call": optional(limits.costPerCall),
        "cost_spent": optional(limits.costSpent),
        "backing_off_for_seconds": optional(limits.backingOffFor?.seconds),
        "exhausted": .bool(limits.isExhausted),
      ]),
    ])
  }

  static let schema: Value = {
    let seconds = JSONSchema.number(nullable: true)
    let count = JSONSchema.integer(minimum: 0)
    return JSONSchema.object(
      [
        "id": JSONSchema.string(),
        "priority": JSONSchema.integer(),
        "simulated": JSONSchema.boolean(),
        "enabled": JSONSchema.boolean(),
        "up": JSONSchema.boolean("Enabled, breaker admitting calls and limits not exhausted."),
        "breaker": JSONSchema.object(
          [
            "state": JSONSchema.string("closed, open, half-open, forced-open, disabled or metrics-only."),
            "reason": JSONSchema.string(nullable: true),
            "failure_rate_percent": seconds,
            "slow_call_rate_percent": seconds,
            "failure_rate_threshold_percent": seconds,
            "slow_call_rate_threshold_percent": seconds,
            "buffered_calls": count,
            "not_permitted_calls": count,
            "next_probe_in_seconds": seconds,
          ], required: ["state", "buffered_calls", "not_permitted_calls"]),
        "health": JSONSchema.object(
          [
            "latency_p50_seconds": seconds,
            "latency_p99_seconds": seconds,
            "latency_ewma_seconds": seconds,
            "error_rate": seconds,
            "requests_per_second": seconds,
            "total_requests": count,
            "consecutive_failures": count,
            "last_error": JSONSchema.string(nullable: true),
          ], required: ["total_requests", "consecutive_failures"]),
        "limits": JSONSchema.object(
          [
            "maximum_concurrent": JSONSchema.integer(nullable: true),
            "in_flight": count,
            "requests_per_minute": seconds,
            "daily_quota": JSONSchema.integer(nullable: true),
            "quota_used": count,
            "cost_per_call": seconds,
            "cost_spent": seconds,
            "backing_off_for_seconds": seconds,
            "exhausted": JSONSchema.boolean(),
          ], required: ["in_flight", "quota_used", "exhausted"]),
      ],
      required: ["id", "priority", "simulated", "enabled", "up", "breaker", "health", "limits"])
  }()

  static func text(_ status: ProviderStatus) -> String {
    var line = "\(status.id.name) \(status.isUp ? "up" : "DOWN") · breaker \(status.breaker.state.rawValue)"
    if let p50 = status.health.p50 { line += " · p50 \(QuoteFields.decimal(p50.milliseconds, places: 0)) ms" }
    if let rate = status.health.errorRate, rate.isFinite {
      line += " · errors \(QuoteFields.decimal(rate * 100, places: 1))%"
    }
    if let reason = status.breaker.lastTransitionReason, !status.breaker.state.admitsCalls { line += " (\(reason))" }
    return line
  }

  private static func optional(_ value: Double?) -> Value {
    guard let value, value.isFinite else { return .null }
    return .double(value)
  }

  private static func optional(_ value: String?) -> Value { value.map { .string($0) } ?? .null }
}

enum CacheFields {
  static func value(_ tiers: [CacheStatistics]) -> Value {
    .object([
      "tiers": .array(
        tiers.map { statistics in
          .object([
            "tier": .string(statistics.tier),
            "entries": .int(statistics.entries),
            "bytes": .int(statistics.bytes),
            "maximum_entries": .int(statistics.maximumEntries),
            "maximum_bytes": .int(statistics.maximumBytes),
            "hits": .int(statistics.hits),
            "misses": .int(statistics.misses),
            "stale_serves": .int(statistics.staleServes),
            "evictions": .int(statistics.evictions),
            "expirations": .int(statistics.expirations),
            "insertions": .int(statistics.insertions),
            "hit_ratio": statistics.hitRatio.flatMap { $0.isFinite ? .double($0) : nil } ?? .null,
            "unavailable": statistics.unavailable.map { .string($0) } ?? .null,
          ])
        }),
      "refreshes_in_flight": .int(tiers.first?.refreshesInFlight ?? 0),
    ])
  }

  static let schema: Value = {
    let count = JSONSchema.integer(minimum: 0)
    let tier = JSONSchema.object(
      [
        "tier": JSONSchema.string("memory, then redis and sqlite when configured."),
        "entries": count, "bytes": count, "maximum_entries": count, "maximum_bytes": count,
        "hits": count, "misses": count, "stale_serves": count, "evictions": count, "expirations": count,
        "insertions": count,
        "hit_ratio": JSONSchema.number(nullable: true),
        "unavailable": JSONSchema.string("Why the tier cannot be used now; null while it works.", nullable: true),
      ],
      required: [
        "tier", "entries", "bytes", "maximum_entries", "maximum_bytes", "hits", "misses", "stale_serves", "evictions",
        "expirations", "insertions",
      ])
    return JSONSchema.object(
      ["tiers": JSONSchema.array(tier), "refreshes_in_flight": count], required: ["tiers", "refreshes_in_flight"])
  }()

  static func text(_ tiers: [CacheStatistics]) -> String {
    tiers.map { statistics in
      var line = "\(statistics.tier): \(statistics.entries) entries, \(statistics.hits) hits, \(statistics.misses) misses"
      if let ratio = statistics.hitRatio, ratio.isFinite { line += ", hit ratio \(QuoteFields.decimal(ratio * 100, places: 1))%" }
      if let reason = statistics.unavailable { line += " (unavailable: \(reason))" }
      return line
    }.joined(separator: "\n")
  }
}
