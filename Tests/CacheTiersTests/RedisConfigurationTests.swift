import CacheTiers
import MarketCore
import Testing

/// Redis URLs as operators write them, and the errors for the ones we cannot use.
@Suite struct RedisConfigurationTests {
  @Test func defaultsSuitACacheBesideTheApplication() {
    let configuration = RedisConfiguration()
    #expect(configuration.host == "127.0.0.1")
    #expect(configuration.port == 6379)
    #expect(configuration.database == 0)
    #expect(configuration.connectTimeout == .seconds(1))
    #expect(configuration.commandTimeout == .milliseconds(250))
    #expect(configuration.poolSize == 4)
    #expect(configuration.maximumReplyBytes == 16 << 20)
    #expect(configuration.reconnectBackoff == RedisReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(10)))
    #expect(configuration.protocolPreference == .resp3)
  }

  @Test func aFullURL() throws {
    let configuration = try RedisConfiguration(url: "redis://cache:s3cret@redis.internal:6380/2")
    #expect(configuration.host == "redis.internal")
    #expect(configuration.port == 6380)
    #expect(configuration.username == "cache")
    #expect(configuration.password?.revealedValue == "s3cret")
    #expect(configuration.database == 2)
  }

  @Test func onlyAHost() throws {
    let configuration = try RedisConfiguration(url: "redis://localhost")
    #expect(configuration.host == "localhost")
    #expect(configuration.port == 6379)
    #expect(configuration.username == nil)
    #expect(configuration.password == nil)
    #expect(configuration.database == 0)
    #expect(try RedisConfiguration(url: "REDIS://localhost/").database == 0)
  }

  @Test func aPasswordWithoutAUser() throws {
    let configuration = try RedisConfiguration(url: "redis://:pw@10.0.0.5:7000")
    #expect(configuration.username == nil)
    #expect(configuration.password == Secret("pw"))
    #expect(configuration.port == 7000)
  }

  @Test func aUserWithoutAPassword() throws {
    let configuration = try RedisConfiguration(url: "redis://reader@host")
    #expect(configuration.username == "reader")
    #expect(configuration.password == nil)
  }

  @Test func credentialsMayBePercentEncodedOrHoldReservedCharacters() throws {
    let encoded = try RedisConfiguration(url: "redis://us%40er:p%3Aw%2Fd%25@host/1")
    #expect(encoded.username == "us@er")
    #expect(encoded.password?.revealedValue == "p:w/d%")
    // The last @ ends the credentials, so an unencoded @ : / in a password still works.
    let raw = try RedisConfiguration(url: "redis://user:p@ss:w/rd@host:6390/4")
    #expect(raw.password?.revealedValue == "p@ss:w/rd")
    #expect(raw.host == "host")
    #expect(raw.port == 6390)
    #expect(raw.database == 4)
  }

  @Test func anIPv6Host() throws {
    let configuration = try RedisConfiguration(url: "redis://[::1]:6381/3")
    #expect(configuration.host == "::1")
    #expect(configuration.port == 6381)
    #expect(try RedisConfiguration(url: "redis://[fe80::1]").port == 6379)
  }

  @Test func redissTurnsTLSOnAndRedisLeavesItOff() throws {
    let secure = try RedisConfiguration(url: "rediss://:pw@cache.internal:6380/1")
    #expect(secure.tls == RedisTLS())
    #expect(secure.host == "cache.internal")
    #expect(secure.port == 6380)
    #expect(try RedisConfiguration(url: "redis://h").tls == nil)
    #expect(throws: RedisConfigurationError.unsupportedScheme("http")) { try RedisConfiguration(url: "http://h") }
  }

  static let invalid: [(url: String, error: RedisConfigurationError)] = [
    ("localhost:6379", .missingScheme),
    ("http://localhost", .unsupportedScheme("http")),
    ("redis://", .invalidHost),
    ("redis://:6379", .invalidHost),
    ("redis://[::1", .invalidHost),
    ("redis://host:0", .invalidPort("0")),
    ("redis://host:70000", .invalidPort("70000")),
    ("redis://host:port", .invalidPort("port")),
    ("redis://host/-1", .invalidDatabase("-1")),
    ("redis://host/db", .invalidDatabase("db")),
    ("redis://host/1?timeout=5", .invalidDatabase("1?timeout=5")),
    ("redis://u:bad%zzpw@host", .malformedCredentials),
  ]

  @Test(arguments: invalid.indices)
  func invalidURLsAreTypedErrors(index: Int) {
    let (url, error) = Self.invalid[index]
    #expect(throws: error) { try RedisConfiguration(url: url) }
  }

  @Test func errorsNeverQuoteThePassword() {
    let password = "hunter2-very-secret"
    for url in [
      "rediss://u:\(password)@host:0", "redis://u:\(password)@host:99999", "redis://u:\(password)@host/x",
      "redis://u:\(password)%@host", "redis://u:\(password)@", "ftp://u:\(password)@host",
    ] {
      do {
        _ = try RedisConfiguration(url: url)
        Issue.record("accepted \(url)")
      } catch {
        #expect(!error.description.contains(password))
        #expect(!String(reflecting: error).contains(password))
      }
    }
  }

  @Test func theConfigurationNeverPrintsThePassword() throws {
    let configuration = try RedisConfiguration(url: "redis://u:hunter2@host")
    #expect(!String(describing: configuration).contains("hunter2"))
    #expect(!String(reflecting: configuration).contains("hunter2"))
  }
}

/// The reconnection waits: doubling, capped, jittered into the upper half.
@Suite struct RedisReconnectBackoffTests {
  let backoff = RedisReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(10))

  @Test func theCeilingDoublesUpToTheMaximum() {
    #expect(backoff.delay(beforeAttempt: 0, jitter: 1) == .milliseconds(100))
    #expect(backoff.delay(beforeAttempt: 1, jitter: 1) == .milliseconds(200))
    #expect(backoff.delay(beforeAttempt: 3, jitter: 1) == .milliseconds(800))
    #expect(backoff.delay(beforeAttempt: 7, jitter: 1) == .seconds(10))
    #expect(backoff.delay(beforeAttempt: 1000, jitter: 1) == .seconds(10))
    #expect(backoff.delay(beforeAttempt: .max, jitter: 1) == .seconds(10))
  }

  @Test func jitterSpreadsOverTheUpperHalf() {
    #expect(backoff.delay(beforeAttempt: 0, jitter: 0) == .milliseconds(50))
    #expect(backoff.delay(beforeAttempt: 0, jitter: 0.5) == .milliseconds(75))
    #expect(backoff.delay(beforeAttempt: 20, jitter: 0) == .seconds(5))
    // Out-of-range jitter is clamped rather than trusted.
    #expect(backoff.delay(beforeAttempt: 0, jitter: -3) == .milliseconds(50))
    #expect(backoff.delay(beforeAttempt: 0, jitter: 7) == .milliseconds(100))
  }

  @Test func randomDelaysStayInTheirBand() {
    var generator = SystemRandomNumberGenerator()
    for attempt in 0..<12 {
      let delay = backoff.delay(beforeAttempt: attempt, using: &generator)
      let ceiling = min(Duration.milliseconds(100) * (1 << attempt), .seconds(10))
      #expect(delay >= ceiling / 2 && delay <= ceiling)
    }
  }

  @Test func aMaximumBelowTheMinimumIsTheMinimum() {
    let inverted = RedisReconnectBackoff(minimum: .seconds(1), maximum: .milliseconds(10))
    #expect(inverted.delay(beforeAttempt: 5, jitter: 1) == .seconds(1))
  }
}
