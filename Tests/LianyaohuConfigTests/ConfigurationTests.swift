import Foundation
import MarketCore
import Testing

@testable import LianyaohuConfig
@testable import lianyaohu

@Suite("Configuration")
struct ConfigurationTests {
  @Test("the sample config in the repo parses and matches the embedded defaults")
  func sample() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config.sample.toml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let configuration = try AppConfiguration.parse(text, file: "config.sample.toml")
    #expect(configuration.seed == 8)
    #expect(configuration.providers.map(\.name) == ["sim-alpha", "sim-beta", "sim-gamma"])
    #expect(configuration.providers.map(\.priority) == [1, 1, 2])
    #expect(configuration.providers[1].simulated.outages.first?.downtime == .seconds(30))
    #expect(configuration.core.quotePolicy.timeToLive == .seconds(10))
    #expect(configuration.core.watchlists[.luDongbin]?.symbols.first == Symbol("AAPL"))
    #expect(configuration.theme == "default")
    #expect(configuration.providers[0].breaker.minimumNumberOfCalls == 5)
  }

  @Test(
    "a bad config names the file, the line and the key",
    arguments: [
      ("[core]\nseed = \"eight\"\n", 2, "core.seed", "expected a whole number"),
      ("[core]\n\nrefresh_interval = 0\n", 3, "core.refresh_interval", "out of range"),
      ("[cache]\nquote_tll = 10\n", 2, "cache.quote_tll", "unknown key"),
      ("[providers.x]\nkind = \"bloomberg\"\n", 2, "providers.x.kind", "unknown provider kind"),
      (
        "[providers.x]\nkind = \"simulated\"\nlatency_median_ms = 50\nlatency_p99_ms = 10\n", 4, "providers.x.latency_p99_ms",
        "must not be below"
      ),
      ("[watchlists.lu-dongbin]\nsymbols = [\"AAPL\", \"../x\"]\n", 2, "watchlists.lu-dongbin.symbols", "'/'"),
      (
        "[watchlists.lu-dongbin]\nsymbols = [\"AAPL\"]\ninactive = [\"MSFT\"]\n", 3, "watchlists.lu-dongbin.inactive",
        "not in symbols"
      ),
      ("[watchlists.zhong-kui]\nsymbols = []\n", 1, "watchlists.zhong-kui", "unknown key"),
      ("[cache]\ntiers = [\"sqlite\"]\n", 2, "cache.tiers", "must start with \"memory\""),
      ("[cache]\ntiers = [\"memory\", \"memcached\"]\n", 2, "cache.tiers", "unknown tier"),
      ("[cache]\ntiers = [\"memory\", \"sqlite\", \"sqlite\"]\n", 2, "cache.tiers", "listed twice"),
      ("[cache]\ntiers = [\"memory\", \"redis\"]\n", 2, "cache.tiers", "redis needs [cache.redis] url"),
      ("[cache.redis]\nurl = \"http://x\"\n", 2, "cache.redis.url", "redis://"),
      ("[cache.redis]\nprefix = \"a b\"\n", 2, "cache.redis.prefix", "without spaces"),
      ("[cache.redis]\ntimeout_ms = 0\n", 2, "cache.redis.timeout_ms", "out of range"),
      ("[cache.redis]\nreconcile_interval_ms = 10\n", 2, "cache.redis.reconcile_interval_ms", "out of range"),
      ("[cache.redis]\npassword_env = \"NOT_SET_ANYWHERE\"\n", 2, "cache.redis.password_env", "is not set"),
      ("[cache.sqlite]\nhistory_length = 0\n", 2, "cache.sqlite.history_length", "out of range"),
      ("[cache.history]\n\nsqlite_max_bars = 10\n", 3, "cache.history.sqlite_max_bars", "out of range"),
      ("[cache.history]\ncurrent_tll = 60\n", 2, "cache.history.current_tll", "unknown key"),
      ("[cache.history]\nredis_ttl_days = \"7\"\n", 2, "cache.history.redis_ttl_days", "expected a number"),
      ("[cache.history]\ncurrent_ttl = 0\n", 2, "cache.history.current_ttl", "out of range"),
      ("[cache.prefetch]\nhot_after_reads = \"3\"\n", 2, "cache.prefetch.hot_after_reads", "expected a whole number"),
      ("[cache.related]\nNVDA = [\"TSM\", \"../x\"]\n", 2, "cache.related.NVDA", "'/'"),
      ("[server]\nport = 1\n", 1, "server", "unknown key"),
      ("[providers]\n", 1, "providers", "lists no providers; remove the table to use the embedded default"),
      ("[core]\nrefresh_concurrency = 0\n", 2, "core.refresh_concurrency", "out of range"),
      ("[core]\nunknown_symbol_ttl = -1.5\n", 2, "core.unknown_symbol_ttl", "out of range"),
      ("[routing]\nhedge_max_extra_ratio = 2\n", 2, "routing.hedge_max_extra_ratio", "out of range"),
      ("[routing]\nhedge_delay_percentile = 20\n", 2, "routing.hedge_delay_percentile", "out of range"),
      (
        "[routing]\nhedge_min_delay_ms = 100\nhedge_max_delay_ms = 50\n", 3, "routing.hedge_max_delay_ms",
        "must not be below hedge_min_delay_ms"
      ),
      ("[dashboard]\ntheme = 3\n", 2, "dashboard.theme", "expected a string"),
      ("[dashboard]\ncolour = \"red\"\n", 2, "dashboard.colour", "unknown key"),
      ("[providers.\"a b\"]\nkind = \"stooq\"\n", 1, "providers.a b", "provider names use letters, digits, - and _"),
      ("[providers.s]\npriority = 1\n", 1, "providers.s.kind", "missing (one of: simulated, openbb"),
      ("[providers.s]\nkind = \"stooq\"\npriority = 0\n", 3, "providers.s.priority", "out of range"),
      ("[providers.s]\nkind = \"stooq\"\nbase_url = \"ftp://x\"\n", 3, "providers.s.base_url", "http:// or https://"),
      (
        "[providers.s]\nkind = \"simulated\"\nerror_rate = 0.6\ntimeout_rate = 0.6\n", 3, "providers.s.error_rate",
        "must not exceed 1"
      ),
      (
        "[providers.s]\nkind = \"simulated\"\noutage_period_s = 10\noutage_down_s = 60\n", 4, "providers.s.outage_down_s",
        "must not exceed outage_period_s"
      ),
      (
        "[providers.s]\nkind = \"finnhub\"\nfailure_rate_threshold = 0\napi_key = \"k\"\n", 3,
        "providers.s.failure_rate_threshold", "out of range"
      ),
      (
        "[watchlists.lu-dongbin]\nsymbols = [\(Array(repeating: "\"AAPL\"", count: 1).joined())"
          + (1...32).map { ", \"S\($0)\"" }.joined() + "]\n", 2,
        "watchlists.lu-dongbin.symbols", "at most 32 symbols"
      ),
    ])
  func badConfig(text: String, line: Int, key: String, message: String) {
    // The same with Windows line endings: the line named must not change.
    for text in [text, text.replacingOccurrences(of: "\n", with: "\r\n")] {
      do {
        _ = try AppConfiguration.parse(text, file: "/etc/lianyaohu.toml")
        Issue.record("accepted a bad config")
      } catch {
        #expect(error.file == "/etc/lianyaohu.toml")
        #expect(error.line == line, "\(error)")
        #expect(error.key == key, "\(error)")
        #expect(error.description.contains(message), "\(error)")
        #expect(error.description.hasPrefix("/etc/lianyaohu.toml:\(line): \(key): "))
      }
    }
  }

  @Test("a TOML syntax error names its line")
  func syntax() {
    do {
      _ = try AppConfiguration.parse("[core]\nseed = 8\nrefresh_interval = = 2\n", file: "c.toml")
      Issue.record("accepted broken TOML")
    } catch {
      #expect(error.line == 3)
      #expect(error.description.hasPrefix("c.toml:3: not valid TOML"))
    }
  }

  @Test(
    "text toml++ only asserts (a stray table header, a date with T and no time, [}) is an error on its line, not an abort",
    arguments: [
      ("[!]\n", 1), ("[core]\nseed = 8\n[\u{E9}]\n", 3), ("[[ \r\n", 1), ("\u{FEFF}[", 1), ("a = 1\n  [\t?x]\n", 2),
      ("[\n", 1), ("a = 1979-05-27T:32:00\n", 1), ("[core]\nb = 1979-05-27tx0:32:00\n", 2), ("c = 2020-01-01T", 1),
      ("a = [}\n", 1), ("[core]\na = [1,\n  # comment\n}\n", 4),
    ])
  func inputTOMLKitOnlyAsserts(text: String, line: Int) {
    do {
      _ = try AppConfiguration.parse(text, file: "c.toml")
      Issue.record("accepted \(text.debugDescription)")
    } catch {
      #expect(error.line == line)
      #expect(error.description.hasPrefix("c.toml:\(line): not valid TOML"))
    }
  }

  @Test(
    "the fuzzer's inputs that aborted the config parser are now errors",
    arguments: [
      "table-header-non-key-character.toml", "table-header-minimal.toml", "date-followed-by-t-without-time.toml",
      "date-followed-by-t-minimal.toml", "brace-where-array-value-belongs.toml",
    ])
  func fuzzRegressions(name: String) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../Fuzz/Regressions/config/" + name)
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    #expect(throws: ConfigurationError.self) { try AppConfiguration.parse(text, file: name) }
  }

  @Test("flags beat the environment, which beats the file")
  func precedence() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("config.toml").path
    try "[core]\nseed = 1\nrefresh_interval = 5\n".write(toFile: file, atomically: true, encoding: .utf8)

    var options = try CoreOptions.parse(["--config", file])
    var loaded = try ConfigurationLoader(environment: [:]).load(flags: options.flags)
    #expect(loaded.seed == 1)
    #expect(loaded.core.refreshInterval == .seconds(5))

    loaded = try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "2"]).load(flags: options.flags)
    #expect(loaded.seed == 2)

    options = try CoreOptions.parse(["--config", file, "--seed", "3", "--refresh-interval", "0.5"])
    loaded = try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "2"]).load(flags: options.flags)
    #expect(loaded.seed == 3)
    #expect(loaded.core.refreshInterval == .milliseconds(500))

    #expect(throws: ConfigurationError.self) {
      try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "many"]).load(flags: options.flags)
    }
    #expect(throws: ConfigurationError(file: directory.path + "/missing.toml", line: nil, key: nil, message: "no such file")) {
      try ConfigurationLoader(environment: [:]).load(
        flags: try CoreOptions.parse(["--config", directory.path + "/missing.toml"]).flags)
    }
    // No file at the default location is fine: defaults apply.
    let defaults = try ConfigurationLoader(environment: ["XDG_CONFIG_HOME": directory.path + "/none"]).load(
      flags: CoreOptions.parse([]).flags)
    #expect(defaults.seed == 8)
    #expect(defaults.file == directory.path + "/none/lianyaohu/config.toml")
  }

  @Test("watchlist edits rewrite only the watchlist tables, atomically, and read back the same")
  func watchlistRoundTrip() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("sub/config.toml").path
    let original =
      "# my desk\n[core]\nseed = 4 # keep\n\n[watchlists.he-xiangu]\nsymbols = [\"SPY\"]\n\n[dashboard]\ntheme = \"light\"\n"
    var lists = WatchlistBook.defaults
    var luDongbin = lists[.luDongbin] ?? Watchlist(symbols: [])
    try luDongbin.toggle(Symbol("MSFT"))
    try luDongbin.add(Symbol("BRK-B"))
    lists[.luDongbin] = luDongbin
    try AtomicFile.write(WatchlistFile.rewrite(original, with: lists), to: file)
    let text = try String(contentsOfFile: file, encoding: .utf8)
    #expect(text.hasPrefix("# my desk\n[core]\nseed = 4 # keep\n"))
    #expect(text.contains("[dashboard]\ntheme = \"light\""))
    #expect(text.components(separatedBy: "[watchlists.he-xiangu]").count == 2)
    let reread = try AppConfiguration.parse(text, file: file)
    #expect(reread.seed == 4)
    #expect(reread.theme == "light")
    #expect(reread.core.watchlists[.luDongbin] == luDongbin)
    #expect(reread.core.watchlists[.heXiangu] == lists[.heXiangu])
    #expect(!FileManager.default.fileExists(atPath: file + ".tmp-\(getpid())"))

    // Saving again changes nothing: the header is not kept as one of the operator's lines.
    #expect(WatchlistFile.rewrite(text, with: lists) == text)
    #expect(text.components(separatedBy: WatchlistFile.header).count == 2)
    let fromNothing = WatchlistFile.rewrite("", with: lists)
    #expect(WatchlistFile.rewrite(WatchlistFile.rewrite(fromNothing, with: lists), with: lists) == fromNothing)
    #expect(fromNothing.hasPrefix(WatchlistFile.header))

    // A CRLF file keeps its line endings, and its watchlist tables are replaced, not doubled.
    let windows = original.replacingOccurrences(of: "\n", with: "\r\n")
    let rewritten = WatchlistFile.rewrite(windows, with: lists)
    #expect(rewritten.components(separatedBy: "[watchlists.he-xiangu]").count == 2)
    #expect(!rewritten.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    #expect(rewritten.replacingOccurrences(of: "\r\n", with: "\n") == text)
    #expect(try AppConfiguration.parse(rewritten, file: file).core.watchlists[.luDongbin] == luDongbin)
  }
}

@Suite("Configuration of real providers and routing")
struct ProviderConfigurationTests {
  let text = """
    [routing]
    quote_policy = "firstWins"

    [providers.finnhub]
    kind = "finnhub"
    priority = 2
    api_key_env = "TEST_FINNHUB_KEY"
    base_url = "http://127.0.0.1:9999/"
    breaker_window = 8
    breaker_min_calls = 4
    open_wait_s = 5

    [providers.openbb]
    kind = "openbb"
    backend = "yfinance"
    daily_quota = 100
    """

  @Test("keys come from the environment, limits from the free tiers unless overridden")
  func realProviders() throws {
    let configuration = try AppConfiguration.parse(text, file: "c.toml", environment: ["TEST_FINNHUB_KEY": "sekrit-123"])
    #expect(configuration.core.quoteFanOut == .firstWins)
    let finnhub = try #require(configuration.providers.first { $0.name == "finnhub" })
    #expect(finnhub.kind == .finnhub)
    #expect(finnhub.apiKey?.value == "sekrit-123")
    #expect("\(finnhub)".contains("sekrit") == false)
    #expect(finnhub.baseURL == "http://127.0.0.1:9999")
    #expect(finnhub.limits.requestsPerMinute == 60)
    #expect(finnhub.breaker.slidingWindow == .countBased(size: 8))
    #expect(finnhub.breaker.waitDurationInOpen == .seconds(5))
    let openbb = try #require(configuration.providers.first { $0.name == "openbb" })
    #expect(openbb.backend == "yfinance")
    #expect(openbb.limits.dailyQuota == 100)
    // The core builds: one HTTP provider per table.
    let core = makeCore(configuration: configuration, clock: SystemClock())
    #expect(core.providerStatuses().map(\.id.name).sorted() == ["finnhub", "openbb"])
  }

  @Test("a missing key names the variable, never a value")
  func missingKey() {
    do {
      _ = try AppConfiguration.parse(text, file: "c.toml", environment: [:])
      Issue.record("accepted a provider without its key")
    } catch {
      #expect(error.description == "c.toml:7: providers.finnhub.api_key_env: environment variable TEST_FINNHUB_KEY is not set")
    }
  }

  @Test("simulated-only keys are refused on HTTP providers and vice versa; a bad policy is named")
  func wrongKeys() {
    #expect(throws: ConfigurationError.self) {
      try AppConfiguration.parse("[providers.s]\nkind = \"stooq\"\nerror_rate = 0.1\n", file: "c.toml")
    }
    #expect(throws: ConfigurationError.self) {
      try AppConfiguration.parse("[providers.s]\nkind = \"simulated\"\nbase_url = \"http://x\"\n", file: "c.toml")
    }
    do {
      _ = try AppConfiguration.parse("[routing]\nquote_policy = \"fastest\"\n", file: "c.toml")
      Issue.record("accepted an unknown policy")
    } catch {
      #expect(error.line == 2 && error.description.contains("failover, firstWins, hedged"))
    }
  }

  @Test("without a routing table quotes are hedged")
  func hedgedByDefault() throws {
    #expect(AppConfiguration().core.quoteFanOut == .hedgedDefault)
    #expect(try AppConfiguration.parse("", file: "c.toml").core.quoteFanOut == .hedgedDefault)
    #expect(
      AppConfiguration().core.quoteFanOut
        == .hedged(maximumExtraRatio: 0.15, delay: .tuned, minimumDelay: .milliseconds(10), maximumDelay: .seconds(2)))
    let fixed = try AppConfiguration.parse(
      "[routing]\nhedge_max_extra_ratio = 0.1\nhedge_delay_percentile = 88\n", file: "c.toml")
    #expect(
      fixed.core.quoteFanOut
        == .hedged(
          maximumExtraRatio: 0.1, delay: .percentile(88), minimumDelay: .milliseconds(10), maximumDelay: .seconds(2)))
  }
}

@Suite("Yahoo session configuration")
struct YahooConfigurationTests {
  @Test("a crumb and cookie from the environment enable the session; one without the other is an error")
  func session() throws {
    let text = "[providers.yahoo]\nkind = \"yahoo\"\ncrumb_env = \"Y_CRUMB\"\ncookie_env = \"Y_COOKIE\"\n"
    let configuration = try AppConfiguration.parse(text, file: "c.toml", environment: ["Y_CRUMB": "c1", "Y_COOKIE": "A3=x"])
    #expect(configuration.providers.first?.crumb?.value == "c1")
    #expect(configuration.providers.first?.cookie?.value == "A3=x")
    #expect(throws: ConfigurationError.self) {
      try AppConfiguration.parse(
        "[providers.yahoo]\nkind = \"yahoo\"\ncrumb_env = \"Y_CRUMB\"\n", file: "c.toml", environment: ["Y_CRUMB": "c1"])
    }
  }
}
