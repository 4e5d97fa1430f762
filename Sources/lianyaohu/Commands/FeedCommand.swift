import ArgumentParser
import ControlAPI
import Foundation
import Logging
import MarketCore
import ServiceLifecycle

/// A live text feed of the eight immortals' quotes: the plain-terminal view of the core, for
/// pipes, logs and terminals where the dashboard cannot run.
struct FeedCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feed",
    abstract: "Print a live text feed of the eight immortals' quotes (simulated market by default).")

  @OptionGroup var core: CoreOptions

  @Option(help: "Seconds between printed frames.")
  var every: Double = 1

  @Option(help: "Stop after this many frames (0 runs until interrupted).")
  var frames: Int = 0

  @Option(help: "Also serve the control API on 127.0.0.1 at this port, so agents can share this process.")
  var port: Int?

  func validate() throws {
    guard every.isFinite, every >= 0.1, every <= 3600 else {
      throw ValidationError("--every must be between 0.1 and 3600 seconds")
    }
    guard frames >= 0 else { throw ValidationError("--frames must not be negative") }
    try APIServing.validate(port: port)
  }

  func run() async throws {
    let apiConfiguration = try port.map(APIServing.loopbackConfiguration(port:))
    var logger = Logger(label: "lianyaohu.feed")
    logger.logLevel = .warning
    var application = App.build(
      try self.core.loadConfiguration(), needs: [.refresh], api: apiConfiguration, logger: logger)
    application.add(
      FeedPrinter(
        core: application.core, every: .milliseconds(Int64(every * 1000)), frames: frames, isTerminal: isatty(1) == 1),
      endsRun: true)
    try await application.run(until: [.sigterm, .sigint, .sighup], logger: logger)
  }
}

/// Prints one frame per interval; on a terminal each frame replaces the last.
struct FeedPrinter: Service {
  let core: MarketDataCore
  let every: Duration
  let frames: Int
  let isTerminal: Bool

  func run() async throws {
    await cancelWhenGracefulShutdown {
      var printed = 0
      while !Task.isCancelled, frames == 0 || printed < frames {
        let frame = FeedFrame.render(core: core)
        let text = isTerminal ? "\u{1B}[H\u{1B}[2J" + frame : frame + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        printed += 1
        do { try await core.clock.sleep(for: every) } catch { return }
      }
    }
  }
}
