import CNCurses
import Foundation
import MarketTesting
import TerminalUI
import Testing

@testable import TerminalBackend

#if canImport(Glibc)
  import Glibc
#endif

/// Curses is one global screen per process: these tests run one at a time.
@Suite("ncurses backend", .serialized)
struct NCursesTerminalTests {
  /// A curses screen drawing into /dev/null, as on a headless machine.
  func headless() throws -> NCursesTerminal {
    let null = open("/dev/null", O_RDWR)
    defer { close(null) }
    return try NCursesTerminal(terminalType: "xterm-256color", input: null, output: null, requireTerminal: false)
  }

  @Test("our display widths agree with the C library's wcwidth, which curses and tmux use")
  func widthsAgreeWithWcwidth() {
    _ = setlocale(LC_CTYPE, "C.UTF-8")
    var disagreements: [String] = []
    for value in UInt32(0x20)...UInt32(0x3_FFFF) {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let expected = lyh_wcwidth(Int32(bitPattern: value))
      guard expected >= 0 else { continue }
      if DisplayWidth.of(scalar) != Int(expected), disagreements.count < 200 {
        disagreements.append("U+\(String(value, radix: 16)) ours \(DisplayWidth.of(scalar)) libc \(expected)")
      }
    }
    #expect(disagreements.isEmpty, "\(disagreements)")
  }

  @Test("a frame is drawn with CJK aligned, then only changed cells are written")
  func drawsAndDiffs() throws {
    let terminal = try headless()
    defer { terminal.restore() }
    var frame = ScreenBuffer(size: terminal.size)
    frame.write("吕洞宾 Lü Dongbin ☰乾", row: 0, column: 0, role: .title)
    frame.write("AAPL  232.15", row: 1, column: 0, role: .priceUp)
    let first = terminal.draw(frame, theme: .defaultDark)
    #expect(first.isFullRepaint)
    #expect(terminal.contents(ofRow: 0).hasPrefix("吕洞宾 Lü Dongbin ☰乾"))
    #expect(terminal.contents(ofRow: 1).hasPrefix("AAPL  232.15"))

    frame.write("6", row: 1, column: 11, role: .tickUp)
    let second = terminal.draw(frame, theme: .defaultDark)
    #expect(!second.isFullRepaint)
    #expect(second.runs == 1)
    #expect(second.cells == 1)
    #expect(terminal.contents(ofRow: 1).hasPrefix("AAPL  232.16"))

    #expect(terminal.draw(frame, theme: .defaultDark).cells == 0, "nothing changed, nothing written")
    #expect(terminal.draw(frame, theme: .monochrome).isFullRepaint, "a new theme repaints everything")
  }

  @Test("restoring ends curses and is safe to repeat")
  func restores() throws {
    let terminal = try headless()
    terminal.draw(ScreenBuffer(size: terminal.size), theme: .defaultDark)
    terminal.restore()
    #expect(terminal.endedCleanly)
    terminal.restore()
    #expect(terminal.readInput(timeout: .zero) == nil)
  }

  @Test("keys map to dashboard keys")
  func keyMapping() {
    #expect(NCursesTerminal.characterKey(9) == .tab)
    #expect(NCursesTerminal.characterKey(13) == .enter)
    #expect(NCursesTerminal.characterKey(27) == .escape)
    #expect(NCursesTerminal.characterKey(127) == .backspace)
    #expect(NCursesTerminal.characterKey(0x5415) == .character("吕"))
    #expect(NCursesTerminal.characterKey(3) == nil)
    #expect(NCursesTerminal.functionKey(0o541) == .backTab)
    #expect(NCursesTerminal.functionKey(0o403) == .up)
  }

  @Test("on a real terminal a crash guard is armed that gives the terminal back, and restoring disarms it")
  func crashGuard() throws {
    let pair = try PseudoTerminal()
    let before = Self.handler(of: SIGSEGV)
    var shellModes = termios()
    _ = tcgetattr(pair.follower, &shellModes)
    #expect(shellModes.c_lflag & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))

    let terminal = try NCursesTerminal(terminalType: "xterm-256color", input: pair.follower, output: pair.follower)
    #expect(terminal.guardsCrashes)
    #expect(lyh_crash_guard_is_armed())
    let flags = Int32(bitPattern: UInt32(SA_RESETHAND)) | Int32(SA_ONSTACK) | Int32(SA_SIGINFO)
    let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGQUIT]
    for signal in signals {
      var action = sigaction()
      _ = sigaction(signal, nil, &action)
      #expect(action.sa_flags & flags == flags, "signal \(signal)")
    }
    var cursesModes = termios()
    _ = tcgetattr(pair.follower, &cursesModes)
    #expect(cursesModes.c_lflag & tcflag_t(ICANON | ECHO) == 0, "curses runs in cbreak mode without echo")

    // What the signal handler does first, without the signal.
    _ = pair.drain()
    lyh_crash_guard_restore_terminal()
    let written = pair.drain()
    #expect(written.hasPrefix("\u{18}"), "CAN first, ending any half-written escape sequence")
    let undo: [String: String] = [
      "rmkx": "\u{1B}[?1l", "rmcup": "\u{1B}[?1049l", "sgr0": "\u{1B}[m", "cnorm": "\u{1B}[?25h",
    ]
    for (capability, bytes) in undo {
      #expect(written.contains(bytes), "\(capability) missing from \(written.debugDescription)")
    }
    var restoredModes = termios()
    _ = tcgetattr(pair.follower, &restoredModes)
    #expect(restoredModes.c_lflag == shellModes.c_lflag)
    #expect(restoredModes.c_iflag == shellModes.c_iflag)

    terminal.restore()
    #expect(!terminal.guardsCrashes)
    #expect(!lyh_crash_guard_is_armed())
    #expect(Self.handler(of: SIGSEGV) == before, "the handler from before (the Swift runtime's) is back")
  }

  /// The address of a signal's handler (or SIG_DFL/SIG_IGN), comparable.
  static func handler(of signal: Int32) -> UInt {
    var action = sigaction()
    _ = sigaction(signal, nil, &action)
    return unsafeBitCast(action.__sigaction_handler, to: UInt.self)
  }

  @Test("without a terminal the dashboard refuses to start, leaving nothing behind")
  func refusesWithoutTerminal() {
    let null = open("/dev/null", O_RDWR)
    defer { close(null) }
    #expect(throws: TerminalError.notATerminal) {
      try NCursesTerminal(input: null, output: null)
    }
  }

  @Test("a TERM that terminfo does not know is an error naming it, and arms nothing")
  func unknownTerminalType() throws {
    let pair = try PseudoTerminal()
    #expect {
      try NCursesTerminal(terminalType: "no-such-terminal-9", input: pair.follower, output: pair.follower)
    } throws: { error in
      guard case .cannotInitialize(let reason) = error as? TerminalError else { return false }
      return reason.contains("curses does not know this terminal")
    }
    #expect(!lyh_crash_guard_is_armed())
  }
}

@Suite("terminal host")
struct TerminalHostTests {
  @Test("frames reach the terminal, keys come back, stop restores")
  func roundTrip() async throws {
    let terminal = MemoryTerminal(size: TerminalSize(width: 30, height: 4))
    let host = try await TerminalHost.start(pollInterval: .milliseconds(20)) { terminal }
    var frame = ScreenBuffer(size: host.initialSize)
    frame.write("吕洞宾", row: 0, column: 0)
    host.present(frame, theme: .defaultDark)
    terminal.type(.character("q"))
    var iterator = host.inputs.makeAsyncIterator()
    #expect(await iterator.next() == .key(.character("q")))
    terminal.resize(to: TerminalSize(width: 20, height: 3))
    #expect(await iterator.next() == .resize(TerminalSize(width: 20, height: 3)))
    #expect(terminal.screen.lines()[0].hasPrefix("吕洞宾"))
    await host.stop()
    #expect(terminal.isRestored)
    #expect(await iterator.next() == nil)
    await host.stop()
  }

  @Test("a hang-up ends the input stream and restores the terminal")
  func hangUp() async throws {
    let terminal = MemoryTerminal(size: TerminalSize(width: 10, height: 2))
    let host = try await TerminalHost.start(pollInterval: .milliseconds(20)) { terminal }
    terminal.hangUp()
    for await _ in host.inputs {}
    await host.stop()
    #expect(terminal.isRestored)
  }

  @Test("a terminal that cannot open is reported, not swallowed")
  func openFailure() async {
    await #expect(throws: TerminalError.notATerminal) {
      _ = try await TerminalHost.start { throw TerminalError.notATerminal }
    }
  }
}

/// A pseudo-terminal pair: the follower is what a program sees as its terminal; whatever it
/// writes can be read on the leader.
final class PseudoTerminal {
  let leader: Int32
  let follower: Int32

  struct Failure: Error {}

  init() throws {
    var leader: Int32 = -1
    var follower: Int32 = -1
    guard lyh_open_pseudo_terminal(&leader, &follower) else { throw Failure() }
    self.leader = leader
    self.follower = follower
    _ = fcntl(leader, F_SETFL, fcntl(leader, F_GETFL) | O_NONBLOCK)
  }

  deinit {
    close(follower)
    close(leader)
  }

  /// Everything written to the follower so far.
  func drain() -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(leader, &buffer, buffer.count)
      guard count > 0 else { break }
      bytes += buffer.prefix(count)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
