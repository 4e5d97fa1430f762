import CNCurses
import TerminalUI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The production ``Terminal``: ncursesw with wide characters.
///
/// Only cells that changed since the last frame are written to curses' window, and
/// `wnoutrefresh`/`doupdate` then send only what changed on the real screen. Colours come
/// from the theme's roles, one colour pair per role: 256 colours when the terminal has them,
/// the nearest of 8 otherwise, attributes only under `NO_COLOR` or without colour support.
///
/// ``restore()`` gives the terminal back on every orderly exit; on a real terminal the crash
/// guard (`lyh_crash_guard_*` in CNCurses) does it when the process dies from a fatal signal.
public final class NCursesTerminal: Terminal {
  public enum ColourMode: Sendable, Hashable {
    /// Use what the terminal supports.
    case automatic
    /// Attributes only (`NO_COLOR`).
    case monochrome
  }

  public let waker = TerminalWaker()
  private let screen: OpaquePointer
  private let window: UnsafeMutablePointer<WINDOW>
  private let outputFile: UnsafeMutablePointer<FILE>
  private let inputFile: UnsafeMutablePointer<FILE>
  private let inputDescriptor: Int32
  /// 0 without colour, else 8 or 256.
  private let palette: Int
  private var previous: ScreenBuffer?
  private var themeInUse: Theme?
  private var styles: [Role: (attributes: attr_t, pair: Int16)] = [:]
  private var cursorVisible = false
  private var restored = false
  /// Whether this terminal armed the crash guard (only one terminal in a process can).
  private(set) var guardsCrashes = false
  /// Whether `endwin` left curses ended, for tests.
  private(set) var endedCleanly = false
  private var text: [wchar_t] = []

  /// Opens the terminal on standard input and output. Throws when they are not a terminal
  /// or curses cannot start (unknown `TERM`); the terminal is untouched then.
  ///
  /// `requireTerminal: false` lets tests draw into `/dev/null` with a named terminal type.
  public init(
    colourMode: ColourMode = .automatic, terminalType: String? = nil, input: Int32 = 0, output: Int32 = 1,
    requireTerminal: Bool = true
  ) throws(TerminalError) {
    if requireTerminal, isatty(input) != 1 || isatty(output) != 1 { throw .notATerminal }
    _ = lyh_prepare_locale()
    // The modes as the shell left them, before curses changes anything: what a crash puts back.
    let modesSaved = isatty(input) == 1 && isatty(output) == 1 && lyh_crash_guard_save_modes(input)
    var outputFile: UnsafeMutablePointer<FILE>?
    var inputFile: UnsafeMutablePointer<FILE>?
    let opened: OpaquePointer? =
      if let terminalType {
        terminalType.withCString { lyh_newterm($0, output, input, &outputFile, &inputFile) }
      } else {
        lyh_newterm(nil, output, input, &outputFile, &inputFile)
      }
    guard let opened, let outputFile, let inputFile, let window = lyh_stdscr() else {
      throw .cannotInitialize("curses does not know this terminal (TERM=\(Self.environment("TERM") ?? "unset"))")
    }
    self.screen = opened
    self.window = window
    self.outputFile = outputFile
    self.inputFile = inputFile
    self.inputDescriptor = fileno(inputFile)
    lyh_restore_at_exit()
    cbreak()
    noecho()
    nonl()
    keypad(window, true)
    intrflush(window, false)
    wtimeout(window, 0)
    _ = set_escdelay(25)
    _ = curs_set(0)
    if colourMode == .automatic, has_colors() {
      start_color()
      use_default_colors()
      palette = lyh_colors() >= 256 ? 256 : (lyh_colors() >= 8 ? 8 : 0)
    } else {
      palette = 0
    }
    if modesSaved {
      lyh_crash_guard_arm(output)
      guardsCrashes = lyh_crash_guard_is_armed()
    }
  }

  deinit { restore() }

  public var size: TerminalSize {
    TerminalSize(width: Int(lyh_columns(window)), height: Int(lyh_rows(window)))
  }

  // MARK: Input

  public func readInput(timeout: Duration) -> [TerminalInput]? {
    guard !restored else { return nil }
    if waker.wait(for: inputDescriptor, timeout: timeout) == .hungUp { return nil }
    var inputs: [TerminalInput] = []
    var value: Int32 = 0
    while inputs.count < 64 {
      let result = lyh_read(window, &value)
      if result == ERR { break }
      if result == KEY_CODE_YES {
        if value == KEY_RESIZE {
          previous = nil
          inputs.append(.resize(size))
        } else if let key = Self.functionKey(value) {
          inputs.append(.key(key))
        }
      } else if let key = Self.characterKey(value) {
        inputs.append(.key(key))
      }
    }
    return inputs
  }

  static func functionKey(_ code: Int32) -> Key? {
    switch code {
    case KEY_UP: .up
    case KEY_DOWN: .down
    case KEY_LEFT: .left
    case KEY_RIGHT: .right
    case KEY_PPAGE: .pageUp
    case KEY_NPAGE: .pageDown
    case KEY_HOME: .home
    case KEY_END: .end
    case KEY_BTAB: .backTab
    case KEY_ENTER: .enter
    case KEY_BACKSPACE: .backspace
    case KEY_DC: .delete
    default:
      (1...12).first { lyh_key_f($0) == code }.map { .function(Int($0)) }
    }
  }

  static func characterKey(_ value: Int32) -> Key? {
    switch value {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    default:
      guard value >= 32, let scalar = Unicode.Scalar(UInt32(bitPattern: value)) else { return nil }
      return .character(Character(scalar))
    }
  }

  // MARK: Output

  @discardableResult
  public func draw(_ frame: ScreenBuffer, theme: Theme) -> DrawStatistics {
    guard !restored else { return DrawStatistics() }
    var statistics = DrawStatistics()
    if themeInUse != theme {
      prepare(theme)
      previous = nil
    }
    let visible = size
    if previous == nil || previous?.size != frame.size {
      werase(window)
      previous = nil
      statistics.isFullRepaint = true
    }
    let runs = frame.changes(since: previous)
    for run in runs where run.row < visible.height {
      statistics.runs += 1
      statistics.cells += run.cells.count
      write(run, limit: visible.width)
    }
    if let cursor = frame.cursor, cursor.row < visible.height, cursor.column < visible.width {
      if !cursorVisible {
        _ = curs_set(1)
        cursorVisible = true
      }
      wmove(window, Int32(cursor.row), Int32(cursor.column))
    } else if cursorVisible {
      _ = curs_set(0)
      cursorVisible = false
    }
    wnoutrefresh(window)
    doupdate()
    previous = frame
    return statistics
  }

  /// Writes one run as segments of equal role.
  private func write(_ run: ScreenRun, limit: Int) {
    var column = run.column
    var index = run.cells.startIndex
    while index < run.cells.endIndex, column < limit {
      let role = run.cells[index].role
      let start = column
      text.removeAll(keepingCapacity: true)
      while index < run.cells.endIndex, run.cells[index].role == role, column < limit {
        let cell = run.cells[index]
        if !cell.isContinuation {
          if Int(cell.width) + column > limit {
            text.append(32)
          } else {
            text.append(wchar_t(bitPattern: cell.scalar.value))
          }
        }
        column += 1
        index += 1
      }
      let style = styles[role] ?? (lyh_attr_normal(), 0)
      text.withUnsafeBufferPointer { pointer in
        _ = lyh_put(window, Int32(run.row), Int32(start), pointer.baseAddress, Int32(pointer.count), style.attributes, style.pair)
      }
    }
  }

  /// One colour pair per role, and the attributes of each.
  private func prepare(_ theme: Theme) {
    themeInUse = theme
    styles.removeAll()
    for (offset, role) in Role.allCases.enumerated() {
      let style = palette == 0 ? theme[role].withoutColour : theme[role]
      var attributes = lyh_attr_normal()
      if style.bold { attributes |= lyh_attr_bold() }
      if style.dim { attributes |= lyh_attr_dim() }
      if style.underline { attributes |= lyh_attr_underline() }
      if style.reverse { attributes |= lyh_attr_reverse() }
      var pair: Int16 = 0
      if palette > 0, style.foreground != .terminalDefault || style.background != .terminalDefault {
        pair = Int16(offset + 1)
        let foreground = colourIndex(style.foreground)
        let background = colourIndex(style.background)
        init_pair(pair, foreground, background)
      }
      styles[role] = (attributes, pair)
    }
  }

  private func colourIndex(_ colour: ThemeColor) -> Int16 {
    let index = palette >= 256 ? colour.index256 : colour.index8
    return Int16(index ?? -1)
  }

  // MARK: Restoring

  public func restore() {
    guard !restored else { return }
    restored = true
    if cursorVisible { _ = curs_set(1) }
    endwin()
    endedCleanly = isendwin()
    delscreen(screen)
    fclose(outputFile)
    fclose(inputFile)
    if guardsCrashes {
      guardsCrashes = false
      lyh_crash_guard_disarm()
    }
  }

  /// The characters curses holds for one row, for tests.
  func contents(ofRow row: Int) -> String {
    var buffer = [wchar_t](repeating: 0, count: size.width + 1)
    let count = mvwinnwstr(window, Int32(row), 0, &buffer, Int32(size.width))
    guard count > 0 else { return "" }
    return String(String.UnicodeScalarView(buffer.prefix(Int(count)).compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }))
  }

  static func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}
