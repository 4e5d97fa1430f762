import Synchronization
import TerminalBackend
import TerminalUI

/// A ``Terminal`` in memory, for tests: inputs are queued by the test, frames land in a
/// screen buffer the test can read, and every write is counted.
public final class MemoryTerminal: Terminal, Sendable {
  private struct State {
    var size: TerminalSize
    var screen: ScreenBuffer
    var previous: ScreenBuffer?
    var theme: Theme?
    var inputs: [TerminalInput] = []
    var frames = 0
    var cellsWritten = 0
    var restored = false
    var hungUp = false
  }

  public let waker = TerminalWaker()
  private let state: Mutex<State>

  public init(size: TerminalSize) {
    self.state = Mutex(State(size: size, screen: ScreenBuffer(size: size)))
  }

  public var size: TerminalSize { state.withLock { $0.size } }
  /// What the screen shows now.
  public var screen: ScreenBuffer { state.withLock { $0.screen } }
  public var frameCount: Int { state.withLock { $0.frames } }
  public var cellsWritten: Int { state.withLock { $0.cellsWritten } }
  public var isRestored: Bool { state.withLock { $0.restored } }
  public var theme: Theme? { state.withLock { $0.theme } }

  /// Queues a key press, as if typed.
  public func type(_ keys: Key...) {
    state.withLock { $0.inputs += keys.map(TerminalInput.key) }
    waker.wake()
  }

  /// Changes the size and queues the resize input, as a terminal emulator would.
  public func resize(to size: TerminalSize) {
    state.withLock {
      $0.size = size
      $0.inputs.append(.resize(size))
    }
    waker.wake()
  }

  public func readInput(timeout: Duration) -> [TerminalInput]? {
    let (pending, hungUp) = state.withLock { state in
      defer { state.inputs.removeAll() }
      return (state.inputs, state.hungUp)
    }
    if hungUp { return nil }
    if !pending.isEmpty { return pending }
    _ = waker.wait(for: -1, timeout: timeout)
    return state.withLock { state in
      defer { state.inputs.removeAll() }
      return state.inputs
    }
  }

  @discardableResult
  public func draw(_ frame: ScreenBuffer, theme: Theme) -> DrawStatistics {
    state.withLock { state in
      guard !state.restored else { return DrawStatistics() }
      if state.theme != theme || state.previous?.size != frame.size {
        state.previous = nil
        state.theme = theme
      }
      let runs = frame.changes(since: state.previous)
      let cells = runs.reduce(0) { $0 + $1.cells.count }
      state.previous = frame
      state.screen = frame
      state.frames += 1
      state.cellsWritten += cells
      return DrawStatistics(
        runs: runs.count, cells: cells, isFullRepaint: runs.count == frame.size.height && cells == frame.cells.count)
    }
  }

  /// Simulates the terminal going away.
  public func hangUp() {
    state.withLock { $0.hungUp = true }
    waker.wake()
  }

  public func restore() {
    state.withLock { $0.restored = true }
  }
}
