import ArgumentParser
import Foundation
import LianyaohuConfig
import MarketCore

/// Test only, hidden from `--help`: saves a watchlist edit into a config file over and over,
/// through the same code the dashboard and the API's edits use, printing `saved N` after each
/// save, so a test can SIGKILL it mid-save and check the file still parses
/// (`Tests/LianyaohuTests/AtomicSaveTests.swift`).
struct SaveLoopCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test-save-loop",
    abstract: "Test only: rewrite a config file's watchlists in a loop.",
    shouldDisplay: false)

  @Option(help: ArgumentHelp("The config file to rewrite; it must parse.", valueName: "file"))
  var config: String

  @Option(help: "Saves before stopping (default: until killed).")
  var count: Int?

  func validate() throws {
    if let count, count < 1 { throw ValidationError("--count must be at least 1") }
  }

  func run() throws {
    let configuration = try CoreOptions.parse(["--config", config]).loadConfiguration()
    var watchlists = configuration.core.watchlists
    var list = watchlists[.luDongbin] ?? Watchlist(symbols: [])
    guard let symbol = list.symbols.first else {
      throw ValidationError("\(config): lu-dongbin's watchlist is empty; give it a symbol to toggle")
    }
    var saved = 0
    while count.map({ saved < $0 }) ?? true {
      _ = try list.toggle(symbol)
      watchlists[.luDongbin] = list
      try WatchlistFile.save(watchlists, to: config)
      saved += 1
      FileHandle.standardOutput.write(Data("saved \(saved)\n".utf8))
    }
  }
}
