import CacheTiers
import Foundation
import MarketCore
import Testing

@testable import LianyaohuConfig
@testable import lianyaohu

@Suite("Cache tier configuration")
struct TierConfigurationTests {
  @Test("the sample config turns on SQLite, configures Redis and prefetch, and names related groups")
  func sample() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config.sample.toml")
    let configuration = try AppConfiguration.parse(try String(contentsOf: url, encoding: .utf8), file: "config.sample.toml")
    #expect(configuration.tiers.tiers == [.sqlite])
    #expect(configuration.tiers.redis.url?.value == "redis://127.0.0.1:6379/0")
    #expect(configuration.tiers.redis.commandTimeout == .milliseconds(250))
    #expect(configuration.tiers.redis.reconcileInterval == .seconds(3))
    #expect(configuration.tiers.sqlite.historyLength == 240)
    #expect(configuration.tiers.history == TierSettings.HistorySettings())
    #expect(configuration.core.historyPolicy == HistoryPolicy())
    #expect(configuration.core.prefetch.hotAfterReads == 3)
    #expect(configuration.core.prefetch.relatedGroups[Symbol("NVDA")] == [Symbol("TSM"), Symbol("AMD"), Symbol("SMCI")])
  }

  @Test("without a [cache] table: SQLite under XDG_DATA_HOME, no Redis")
  func defaults() {
    let configuration = AppConfiguration()
    #expect(configuration.tiers.tiers == [.sqlite])
    #expect(TierSettings.defaultSQLitePath(environment: ["XDG_DATA_HOME": "/d"]) == "/d/lianyaohu/cache.sqlite")
    #expect(TierSettings.defaultSQLitePath(environment: ["HOME": "/h"]) == "/h/.local/share/lianyaohu/cache.sqlite")
  }

  @Test("[cache.history] sets the SQLite cap, the current block's freshness and Redis's lifetime of settled blocks")
  func history() throws {
    let configuration = try AppConfiguration.parse(
      """
      [cache.history]
      current_ttl = 30
      current_max_staleness = 600
      sqlite_max_bars = 1000000
      redis_ttl_days = 2.5
      """, file: "c.toml")
    #expect(configuration.core.historyPolicy.current.timeToLive == .seconds(30))
    #expect(configuration.core.historyPolicy.current.maximumStaleness == .seconds(600))
    #expect(configuration.core.historyPolicy.settled == HistoryPolicy().settled, "settled blocks stay kept for good")
    #expect(configuration.tiers.history.sqliteMaximumBars == 1_000_000)
    #expect(configuration.tiers.history.redisSettledLifetime == .seconds(216_000))
  }

  @Test("the tiers are built with [cache.history]: SQLite's bar cap, how long Redis keeps each block")
  func historyReachesTheTiers() throws {
    let configuration = try AppConfiguration.parse(
      """
      [cache.history]
      current_ttl = 30
      current_max_staleness = 600
      sqlite_max_bars = 5000
      redis_ttl_days = 2
      """, file: "c.toml")
    #expect(TierAssembly.sqliteOptions(configuration).maximumHistoryBars == 5_000)
    let redis = TierAssembly.redisOptions(configuration)
    #expect(redis.currentSeriesLifetime == .seconds(630), "the current block lives as long as it may be served")
    #expect(redis.settledSeriesLifetime == .seconds(2 * 86_400))
    #expect(redis.historyPolicy == configuration.core.historyPolicy)
    #expect(redis.profileLifetime == .seconds(8 * 86_400))
  }

  @Test("a password never appears in a configuration error")
  func passwordNeverEchoed() {
    do {
      _ = try AppConfiguration.parse("[cache.redis]\nurl = \"http://u:hunter2@host\"\n", file: "c.toml")
      Issue.record("accepted an http URL")
    } catch {
      #expect(!error.description.contains("hunter2"))
    }
  }

  @Test("rediss:// with a CA file, a client certificate and a server name")
  func tls() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ["ca.crt", "client.crt", "client.key"] {
      try Data("pem".utf8).write(to: directory.appendingPathComponent(name))
    }
    let path = { (name: String) in directory.appendingPathComponent(name).path }
    let text = """
      [cache.redis]
      url = "rediss://cache.internal:6380"
      tls_ca_file = "\(path("ca.crt"))"
      tls_cert_file = "\(path("client.crt"))"
      tls_key_file = "\(path("client.key"))"
      tls_server_name = "redis.internal"
      """
    let settings = try AppConfiguration.parse(text, file: "c.toml").tiers.redis
    let redis = try TierAssembly.redisConfiguration(settings)
    #expect(
      redis.tls
        == RedisTLS(
          caFile: path("ca.crt"), certificateFile: path("client.crt"), keyFile: path("client.key"),
          serverName: "redis.internal"))
    // A file that is not there is an error on its line.
    #expect {
      _ = try AppConfiguration.parse("[cache.redis]\ntls_ca_file = \"\(path("nope.crt"))\"\n", file: "c.toml")
    } throws: { error in
      let text = "\(error)"
      return text.contains("c.toml:2") && text.contains("tls_ca_file") && text.contains("cannot read")
    }
    // A certificate without its key.
    #expect {
      _ = try AppConfiguration.parse("[cache.redis]\ntls_cert_file = \"\(path("client.crt"))\"\n", file: "c.toml")
    } throws: { error in "\(error)".contains("tls_key_file") }
    // TLS settings with a plain redis:// URL are refused, not ignored.
    let plain = try AppConfiguration.parse(
      "[cache.redis]\nurl = \"redis://h\"\ntls_ca_file = \"\(path("ca.crt"))\"\n", file: "c.toml")
    #expect(throws: TierAssembly.TLSWithoutRediss.self) { try TierAssembly.redisConfiguration(plain.tiers.redis) }
  }

  @Test("LIANYAOHU_REDIS_URL turns the Redis tier on, first in read order")
  func environment() throws {
    let loader = ConfigurationLoader(environment: [
      TierSettings.redisURLVariable: "redis://:secret@127.0.0.1:6390/2", "XDG_CONFIG_HOME": "/nonexistent-\(UUID().uuidString)",
    ])
    let loaded = try loader.load(flags: try CoreOptions.parse([]).flags)
    #expect(loaded.tiers.tiers == [.redis, .sqlite])
    #expect(loaded.tiers.redis.url?.value == "redis://:secret@127.0.0.1:6390/2")
    #expect(!"\(loaded.tiers)".contains("secret"))
  }
}
