import Foundation
import Logging
import MarketCore
import ServiceLifecycle
import TerminalBackend
import TerminalUI

/// The dashboard as a service: one loop turns keys, resizes, time and core events into
/// actions, runs ``update(_:_:)``, carries out the effects through the data source, and
/// draws event-driven with a frame cap. The terminal is restored however the loop ends:
/// `q`, a graceful shutdown (SIGINT, SIGTERM, SIGHUP) or a thrown error.
struct DashboardService: Service {
  struct Options: Sendable {
    var themes: [Theme] = Theme.builtInThemes
    var initialTheme = "default"
    /// `NO_COLOR`: the monochrome theme only.
    var monochrome = false
    /// At most one frame per this interval (100 ms: 10 frames a second).
    var frameInterval: Duration = .milliseconds(100)
    /// How often time moves on screen (clock, ages, highlights).
    var tickInterval: Duration = .milliseconds(250)
    /// How often provider, cache and watchlist status is re-read.
    var statusInterval: Duration = .seconds(1)
    var utcOffset = TimeZone.current.secondsFromGMT()
  }

  /// What reaches the loop: an action, or the frame timer firing.
  enum Input: Sendable {
    case action(Action)
    case frameDue
    /// The terminal went away (hang-up): nothing can be shown any more.
    case terminalClosed
  }

  let source: any DashboardDataSource
  let options: Options
  let makeTerminal: @Sendable () throws -> any Terminal
  var logger = Logger(label: "lianyaohu.dashboard")

  func run() async throws {
    let host = try await TerminalHost.start(makeTerminal)
    do {
      try await cancelWhenGracefulShutdown {
        try await loop(host)
      }
    } catch {
      await host.stop()
      throw error
    }
    await host.stop()
  }

  private func loop(_ host: TerminalHost) async throws {
    let (inputs, continuation) = AsyncStream<Input>.makeStream(bufferingPolicy: .unbounded)
    let themes = Dictionary(options.themes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var state = DashboardState(
      size: host.initialSize, now: Date(), utcOffset: options.utcOffset,
      themeNames: options.monochrome ? ["monochrome"] : options.themes.map(\.name),
      themeName: options.monochrome ? "monochrome" : options.initialTheme)
    state.themeLocked = options.monochrome
    let firstEffects = update(&state, .snapshot(await source.snapshot()))

    let terminalClosed = await withTaskGroup(of: Void.self, returning: Bool.self) { group in
      group.addTask {
        for await input in host.inputs { continuation.yield(.action(input.action)) }
        if !Task.isCancelled { continuation.yield(.terminalClosed) }
      }
      group.addTask { [source] in
        for await change in source.updates() { continuation.yield(.action(change.action)) }
      }
      group.addTask { [options] in
        while (try? await Task.sleep(for: options.tickInterval)) != nil {
          continuation.yield(.action(.tick(Date())))
        }
      }
      group.addTask { [source, options] in
        while (try? await Task.sleep(for: options.statusInterval)) != nil {
          continuation.yield(.action(.snapshot(await source.snapshot())))
        }
      }

      /// Starts an effect that runs beside the loop; its answer comes back as an action.
      /// (`quit` is the loop's own.)
      func start(_ effect: Effect) {
        switch effect {
        case .quit:
          break
        case .perform(let command):
          logger.info("operator command", metadata: ["command": "\(command)"])
          group.addTask { [source] in
            continuation.yield(.action(.commandFinished(command, await source.perform(command))))
          }
        case .loadHistory(let request):
          group.addTask { [source] in
            continuation.yield(.action(.historyLoaded(request, await source.history(request))))
          }
        case .loadProfile(let symbol):
          group.addTask { [source] in
            continuation.yield(.action(.profileLoaded(symbol, await source.profile(symbol))))
          }
        case .loadSparklines(let symbols):
          group.addTask { [source] in
            let points = await source.sparklineHistory(symbols)
            if !points.isEmpty { continuation.yield(.action(.sparklineHistory(points))) }
          }
        }
      }
      for effect in firstEffects { start(effect) }

      var shown: ScreenBuffer?
      var shownTheme: String?
      var lastFrame = ContinuousClock.now - options.frameInterval
      var frameScheduled = false
      var dirty = true
      func present() {
        let theme = themes[state.themeName] ?? (options.monochrome ? .monochrome : .defaultDark)
        let frame = render(state)
        if frame != shown || theme.name != shownTheme {
          host.present(frame, theme: theme)
          shown = frame
          shownTheme = theme.name
        }
        lastFrame = .now
        dirty = false
      }
      present()

      inputs: for await input in inputs {
        switch input {
        case .frameDue:
          frameScheduled = false
        case .terminalClosed:
          continuation.finish()
          group.cancelAll()
          return true
        case .action(let action):
          for effect in update(&state, action) {
            if effect == .quit {
              // The terminal is given back before anything else winds down, so whatever the
              // rest takes, the operator has a shell again at once.
              await host.stop()
              break inputs
            }
            start(effect)
          }
          dirty = true
        }
        guard dirty else { continue }
        let elapsed = ContinuousClock.now - lastFrame
        if elapsed >= options.frameInterval {
          present()
        } else if !frameScheduled {
          frameScheduled = true
          let delay = options.frameInterval - elapsed
          group.addTask {
            if (try? await Task.sleep(for: delay)) != nil { continuation.yield(.frameDue) }
          }
        }
      }
      continuation.finish()
      group.cancelAll()
      let watchdog = Task { [logger] in
        // Every child ends on cancellation; if one does not, the log says so.
        if (try? await Task.sleep(for: .seconds(5))) != nil {
          logger.error("dashboard tasks still running 5 s after quitting")
        }
      }
      await group.waitForAll()
      watchdog.cancel()
      return false
    }
    if terminalClosed, !Task.isCancelled { throw TerminalError.closed }
  }
}
