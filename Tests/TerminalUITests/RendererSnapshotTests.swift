import Foundation
import MarketCore
import Testing

@testable import TerminalUI

@Suite("Golden snapshots of the pure renderer")
struct RendererSnapshotTests {
  @Test("the dashboard at each reference size", arguments: [(80, 24), (120, 40), (200, 60)])
  func dashboard(width: Int, height: Int) throws {
    let state = Fixtures.state(width: width, height: height)
    try Snapshot.assert(render(state), named: "dashboard-\(width)x\(height)")
  }

  @Test("the cache pane with SQLite and a Redis tier that is down", arguments: [(120, 40), (200, 60)])
  func tiers(width: Int, height: Int) throws {
    var state = Fixtures.state(width: width, height: height)
    var sqlite = CacheStatistics(tier: "sqlite")
    sqlite.entries = 40
    sqlite.bytes = 331_776
    sqlite.hits = 12
    sqlite.misses = 3
    var redis = CacheStatistics(tier: "redis")
    redis.unavailable = "connection refused"
    _ = update(&state, .cacheStatistics(state.market.cacheTiers + [redis, sqlite]))
    try Snapshot.assert(render(state), named: "tiers-\(width)x\(height)")
  }

  @Test("providers focused with the open and tripped breakers selected", arguments: [(80, 24), (120, 40), (200, 60)])
  func providersFocused(width: Int, height: Int) throws {
    var state = Fixtures.state(width: width, height: height)
    Fixtures.press(Array(repeating: .tab, count: 8) + [.down, .down], &state)
    try Snapshot.assert(render(state), named: "providers-\(width)x\(height)")
  }

  @Test("the help overlay", arguments: [(80, 24), (120, 40), (200, 60)])
  func help(width: Int, height: Int) throws {
    var state = Fixtures.state(width: width, height: height)
    Fixtures.press([.character("?")], &state)
    try Snapshot.assert(render(state), named: "help-\(width)x\(height)")
  }

  @Test("the watchlist editor while adding an invalid symbol", arguments: [(80, 24), (120, 40), (200, 60)])
  func watchlistEditor(width: Int, height: Int) throws {
    var state = Fixtures.state(width: width, height: height)
    Fixtures.press([.character("7"), .character("w"), .down, .character("a")], &state)
    Fixtures.press("BAD$".map { Key.character($0) } + [.enter], &state)
    try Snapshot.assert(render(state), named: "editor-\(width)x\(height)")
  }

  @Test("the cache confirmation and a paused, sorted display")
  func confirmationAndPause() throws {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("p"), .character("s"), .character("s"), .character("c")], &state)
    try Snapshot.assert(render(state), named: "confirm-paused-120x40")
  }

  @Test("the detail view of AAPL: chart, gap, profile and sources", arguments: [(80, 24), (120, 40), (200, 60)])
  func detail(width: Int, height: Int) throws {
    let state = DetailFixtures.state(width: width, height: height)
    try Snapshot.assert(render(state), named: "detail-\(width)x\(height)")
  }

  @Test("the detail view while loading, and after a failure", arguments: [(80, 24)])
  func detailLoadingAndFailed(width: Int, height: Int) throws {
    var state = Fixtures.state(width: width, height: height)
    let effects = Fixtures.press([.enter], &state)
    try Snapshot.assert(render(state), named: "detail-loading-\(width)x\(height)")
    for case .loadHistory(let request) in effects {
      let error = DetailLoadError(
        errorClass: "no_provider_available", reason: "no provider can serve AAPL: sim-alpha circuit open (retry in 12s)")
      _ = update(&state, .historyLoaded(request, .failure(error)))
    }
    try Snapshot.assert(render(state), named: "detail-failed-\(width)x\(height)")
  }

  @Test("a terminal below the minimum size", arguments: [(40, 10), (59, 24), (80, 14)])
  func tooSmall(width: Int, height: Int) throws {
    let state = Fixtures.state(width: width, height: height)
    try Snapshot.assert(render(state), named: "too-small-\(width)x\(height)")
  }

  @Test("the smallest layout scrolls the immortals")
  func smallest() throws {
    var state = Fixtures.state(width: 60, height: 15)
    try Snapshot.assert(render(state), named: "small-60x15")
    Fixtures.press([.character("8")], &state)
    try Snapshot.assert(render(state), named: "small-60x15-focus-8")
  }
}
