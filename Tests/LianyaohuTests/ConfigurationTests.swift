import Foundation
import MarketCore
import Testing

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
    #expect(configuration.theme == "dark")
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
    ])
  func badConfig(text: String, line: Int, key: String, message: String) {
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

  @Test("flags beat the environment, which beats the file")
  func precedence() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("config.toml").path
    try "[core]\nseed = 1\nrefresh_interval = 5\n".write(toFile: file, atomically: true, encoding: .utf8)

    var options = try CoreOptions.parse(["--config", file])
    var loaded = try ConfigurationLoader(environment: [:]).load(options: options)
    #expect(loaded.seed == 1)
    #expect(loaded.core.refreshInterval == .seconds(5))

    loaded = try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "2"]).load(options: options)
    #expect(loaded.seed == 2)

    options = try CoreOptions.parse(["--config", file, "--seed", "3", "--refresh-interval", "0.5"])
    loaded = try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "2"]).load(options: options)
    #expect(loaded.seed == 3)
    #expect(loaded.core.refreshInterval == .milliseconds(500))

    #expect(throws: ConfigurationError.self) {
      try ConfigurationLoader(environment: ["LIANYAOHU_SEED": "many"]).load(options: options)
    }
    #expect(throws: ConfigurationError(file: directory.path + "/missing.toml", line: nil, key: nil, message: "no such file")) {
      try ConfigurationLoader(environment: [:]).load(
        options: try CoreOptions.parse(["--config", directory.path + "/missing.toml"]))
    }
    // No file at the default location is fine: defaults apply.
    let defaults = try ConfigurationLoader(environment: ["XDG_CONFIG_HOME": directory.path + "/none"]).load(
      options: CoreOptions.parse([]))
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
  }
}
