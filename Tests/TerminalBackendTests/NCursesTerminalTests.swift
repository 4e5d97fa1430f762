import CNCurses
import Foundation
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

  @Test("without a terminal the dashboard refuses to start, leaving nothing behind")
  func refusesWithoutTerminal() {
    let null = open("/dev/null", O_RDWR)
    defer { close(null) }
    #expect(throws: TerminalError.notATerminal) {
      try NCursesTerminal(input: null, output: null)
    }
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
