import ArgumentParser
import Foundation
import Logging
import MarketCore
import TerminalUI

/// One dashboard frame of the live system as plain text: for scripts, bug reports and tests.
struct SnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot",
    abstract: "Print one rendered dashboard frame of the live system as plain text.")

  @OptionGroup var core: CoreOptions

  @Option(help: "Frame width in columns.")
  var width = 120

  @Option(help: "Frame height in rows.")
  var height = 40

  @Option(help: "Seconds to let the core run first, so quotes are on screen.")
  var settle: Double = 1.5

  func validate() throws {
    guard (1...1000).contains(width), (1...1000).contains(height) else {
      throw ValidationError("--width and --height must be between 1 and 1000")
    }
    guard settle.isFinite, settle >= 0, settle <= 60 else { throw ValidationError("--settle must be between 0 and 60 seconds") }
  }

  func run() async throws {
    let core = App.build(try self.core.loadConfiguration(), needs: [], logger: Logger(label: "lianyaohu.snapshot")).core
    let source = CoreDashboardDataSource(core: core)
    let refresh = Task { await RefreshLoop(core: core).run() }
    defer { refresh.cancel() }
    try await Task.sleep(for: .milliseconds(Int64(settle * 1000)))
    var state = DashboardState(
      size: TerminalSize(width: width, height: height), now: core.clock.wallNow(), utcOffset: TimeZone.current.secondsFromGMT())
    _ = update(&state, .snapshot(await source.snapshot()))
    let text = render(state).text(trimmingTrailingSpaces: true)
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }
}
