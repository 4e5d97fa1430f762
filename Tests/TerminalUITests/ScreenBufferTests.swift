import Testing

@testable import TerminalUI

@Suite("Screen buffer, display width and diff")
struct ScreenBufferTests {
  @Test("CJK characters take two columns and names line up")
  func wideCharacters() {
    #expect(DisplayWidth.of("吕洞宾") == 6)
    #expect(DisplayWidth.of("Lü Dongbin") == 10)
    #expect(DisplayWidth.of("☰") == 1)
    #expect(DisplayWidth.of("e\u{301}") == 1)
    var buffer = ScreenBuffer(size: TerminalSize(width: 12, height: 2))
    buffer.write("吕洞宾|", row: 0, column: 0)
    buffer.write("abcdef|", row: 1, column: 0)
    #expect(buffer.lines() == ["吕洞宾|     ", "abcdef|     "])
    #expect(buffer.find("|")?.column == 6)
    #expect(buffer[0, 1].isContinuation)
  }

  @Test("a wide character never straddles the clip edge, and overwriting half of one blanks the other")
  func clipping() {
    var buffer = ScreenBuffer(size: TerminalSize(width: 5, height: 1))
    #expect(buffer.write("ab吕洞", row: 0, column: 0) == 4)
    #expect(buffer.lines() == ["ab吕 "])
    buffer.write("x", row: 0, column: 3)
    #expect(buffer.lines() == ["ab x "])
    buffer.write("洞", row: 0, column: 1)
    buffer.write("y", row: 0, column: 1)
    #expect(buffer.lines() == ["ay x "])
  }

  @Test("truncation and padding count columns, not characters")
  func truncation() {
    #expect("吕洞宾 Lü Dongbin".truncated(toWidth: 8) == "吕洞宾 …")
    #expect("吕洞宾".padded(toWidth: 8) == "吕洞宾  ")
    #expect("abc".padded(toWidth: 5, alignment: .right) == "  abc")
    #expect("one two three".wrapped(toWidth: 7) == ["one two", "three"])
  }

  @Test("the diff covers exactly the changed cells, merging close changes")
  func diff() {
    let size = TerminalSize(width: 20, height: 3)
    var old = ScreenBuffer(size: size)
    old.write("hello world", row: 1, column: 0)
    var new = old
    #expect(new.changes(since: old).isEmpty)
    new.write("J", row: 1, column: 0)
    new.write("W", row: 1, column: 6)
    new.write("!", row: 1, column: 8)
    let runs = new.changes(since: old)
    #expect(runs.map(\.column) == [0, 6])
    #expect(runs.map(\.cells.count) == [1, 3])
    #expect(new.changes(since: nil).count == 3)
    #expect(new.changes(since: ScreenBuffer(size: TerminalSize(width: 10, height: 3))).count == 3)
  }

  @Test("a run never starts inside a wide character")
  func diffAroundWideCharacters() {
    let size = TerminalSize(width: 10, height: 1)
    var old = ScreenBuffer(size: size)
    old.write("吕洞宾", row: 0, column: 0)
    var new = old
    new.setRole(.title, in: Rect(row: 0, column: 3, width: 1, height: 1))
    let runs = new.changes(since: old)
    #expect(runs.first?.column == 2)
    #expect(runs.first?.cells.count == 2)
  }

  @Test("semantic roles carry the meaning a theme colours")
  func roles() throws {
    let state = Fixtures.state(width: 200, height: 60)
    let buffer = render(state)
    let stale = try #require(buffer.find("~1470.84"))
    #expect(buffer[stale.row, stale.column].role == .stale)
    #expect(buffer[stale.row, stale.column + 1].role == .stale)
    let forced = try #require(buffer.find("forced-open"))
    #expect(buffer[forced.row, forced.column].role == .breakerForcedOpen)
    let open = try #require(buffer.find("open            62/50%"))
    #expect(buffer[open.row, open.column].role == .breakerOpen)
    let badge = try #require(buffer.find("SIMULATED"))
    #expect(buffer[badge.row, badge.column].role == .badgeSimulated)
    let focused = try #require(buffer.find("1 吕洞宾"))
    #expect(buffer[focused.row, focused.column].role == .focusedTitle)
  }
}
