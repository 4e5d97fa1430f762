import MCP
import MarketCore

extension AgentTool {
  /// `provider_status {}`: what the dashboard's providers pane shows.
  static let providerStatus = AgentTool(
    name: "provider_status", title: "Provider health",
    description: """
      Every provider's health: up or down, circuit breaker state and the reason for its last transition, \
      latency percentiles, error rate, rate limits and quota, as GET /v1/providers answers it.
      """,
    inputSchema: JSONSchema.object([:]),
    outputSchema: JSONSchema.object(["providers": JSONSchema.array(ProviderFields.schema)], required: ["providers"]),
    changesState: false, idempotent: true
  ) { _, context throws(MCPError) in
    let statuses = context.core.providerStatuses()
    return ToolAnswer(
      structured: .object(["providers": .array(statuses.map(ProviderFields.value))]),
      text: statuses.isEmpty ? "no providers configured" : statuses.map(ProviderFields.text).joined(separator: "\n"))
  }

  /// `cache_stats {}`: the counters of every cache tier.
  static let cacheStats = AgentTool(
    name: "cache_stats", title: "Cache statistics",
    description: """
      Counters for every cache tier (memory, then redis and sqlite when configured): entries, bytes, hits, \
      misses, stale serves, evictions, hit ratio, and why a tier is unavailable, as GET /v1/cache answers it.
      """,
    inputSchema: JSONSchema.object([:]),
    outputSchema: CacheFields.schema, changesState: false, idempotent: true
  ) { _, context throws(MCPError) in
    let tiers = context.core.cacheStatistics()
    return ToolAnswer(structured: CacheFields.value(tiers), text: CacheFields.text(tiers))
  }
}
