import TerminalUI

/// A terminal the dashboard can draw on and read keys from: ncurses in production
/// (``NCursesTerminal``), memory in tests (``MemoryTerminal``).
///
/// A terminal is used from one thread only (``TerminalHost`` owns that thread); only its
/// ``waker`` may be used from anywhere.
public protocol Terminal: AnyObject {
  /// The size now (changes after a `.resize` input).
  var size: TerminalSize { get }
  /// Interrupts a ``readInput(timeout:)`` in progress, from any thread.
  var waker: TerminalWaker { get }
  /// Waits until input arrives, the waker is woken or the timeout passes; returns what
  /// arrived, possibly nothing, or nil once the terminal is gone (hang-up).
  func readInput(timeout: Duration) -> [TerminalInput]?
  /// Shows a frame, writing only the cells that differ from the frame shown before (all of
  /// them after a resize or a theme change).
  @discardableResult
  func draw(_ frame: ScreenBuffer, theme: Theme) -> DrawStatistics
  /// Gives the terminal back in the state it was found; safe to call more than once.
  func restore()
}

/// Input from the terminal.
public enum TerminalInput: Hashable, Sendable {
  case key(Key)
  case resize(TerminalSize)

  /// The dashboard action this input becomes.
  public var action: Action {
    switch self {
    case .key(let key): .key(key)
    case .resize(let size): .resize(size)
    }
  }
}

/// What one draw cost, for benchmarks and tests.
public struct DrawStatistics: Hashable, Sendable {
  public var runs = 0
  public var cells = 0
  public var isFullRepaint = false

  public init(runs: Int = 0, cells: Int = 0, isFullRepaint: Bool = false) {
    self.runs = runs
    self.cells = cells
    self.isFullRepaint = isFullRepaint
  }
}

/// Why a terminal could not be opened.
public enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
  case notATerminal
  case cannotInitialize(String)
  /// The terminal hung up while the dashboard ran.
  case closed

  public var description: String {
    switch self {
    case .notATerminal:
      "standard input and output must be a terminal for the dashboard (try `lianyaohu feed` or `lianyaohu snapshot`)"
    case .cannotInitialize(let reason): "cannot open the terminal: \(reason)"
    case .closed: "the terminal went away"
    }
  }
}
