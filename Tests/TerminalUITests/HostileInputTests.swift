import Foundation
import MarketCore
import Testing

@testable import TerminalUI

/// Keys nobody bound, text nobody expected and terminal sizes nobody designed for: the
/// dashboard ignores or clips them, and never crashes.
@Suite("Keys and sizes no one planned for")
struct HostileInputTests {
  /// Every key a terminal can deliver, more or less: printable ASCII, control characters,
  /// wide, combining and astral characters, and every special and function key.
  static let allKeys: [Key] = {
    var keys: [Key] = (0x20...0x7E).compactMap { Unicode.Scalar($0).map { .character(Character($0)) } }
    keys += (0x00...0x1F).compactMap { Unicode.Scalar($0).map { .character(Character($0)) } }
    keys += ["吕", "é", "\u{301}", "🙂", "\u{200B}", "\u{FEFF}", "\u{7F}", "\u{9B}"].map { .character($0) }
    keys += [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .tab, .backTab, .enter, .escape, .backspace, .delete]
    keys += (0...64).map { .function($0) }
    return keys
  }()

  @Test("a key bound to nothing changes nothing, whatever has focus")
  func unboundKeys() {
    var unboundSeen = 0
    for focus in Focus.order {
      var state = Fixtures.state(width: 120, height: 40)
      state.focus = focus
      for key in Self.allKeys where Keymap.binding(for: key, in: state.activeScopes) == nil {
        let before = state
        #expect(update(&state, .key(key)).isEmpty, "\(key) on \(focus)")
        #expect(state == before, "\(key) on \(focus) changed the state")
        unboundSeen += 1
      }
    }
    #expect(unboundSeen > 500, "the sweep covered the unbound keys")
  }

  @Test("the symbol editor takes printable ASCII only, and at most 32 characters")
  func symbolInput() throws {
    var state = Fixtures.state(width: 120, height: 40)
    Fixtures.press([.character("w"), .character("a")], &state)
    for key in Self.allKeys where Keymap.binding(for: key, in: state.activeScopes) == nil {
      guard case .character(let character) = key, !(0x21...0x7E).contains(character.asciiValue ?? 0) else { continue }
      Fixtures.press([key], &state)
    }
    guard case .watchlistEditor(let typed) = state.overlay else { throw CancellationError() }
    #expect(typed.input == "", "no control, space, wide or combining character was taken: \(typed.input.debugDescription)")
    Fixtures.press(Array(repeating: .character("A"), count: 100), &state)
    guard case .watchlistEditor(let long) = state.overlay else { throw CancellationError() }
    #expect(long.input?.count == Symbol.maximumLength + 8)
    #expect(Fixtures.press([.enter], &state).isEmpty, "too long to be a symbol: refused with the reason")
    guard case .watchlistEditor(let refused) = state.overlay else { throw CancellationError() }
    #expect(refused.message?.isError == true)
  }

  /// Sizes around every layout threshold, and the degenerate and very large ones.
  static let widths = [0, 1, 2, 3, 7, 39, 40, 59, 60, 61, 79, 80, 119, 120, 159, 160, 161, 300]
  static let heights = [0, 1, 2, 3, 9, 10, 14, 15, 16, 23, 24, 39, 40, 47, 48, 49, 100]

  @Test("every size renders a frame of exactly that size, with or without an overlay")
  func everySize() {
    let overlays: [[Key]] = [[], [.character("?")], [.character("w"), .character("a")], [.character("c")]]
    for keys in overlays {
      var state = Fixtures.state(width: 120, height: 40)
      Fixtures.press(keys, &state)
      for width in Self.widths {
        for height in Self.heights {
          _ = update(&state, .resize(TerminalSize(width: width, height: height)))
          let frame = render(state)
          #expect(frame.size == TerminalSize(width: width, height: height))
        }
      }
    }
    #expect(TerminalSize(width: -5, height: -1) == TerminalSize(width: 0, height: 0), "negative sizes are empty")
  }

  @Test("a terminal past 1000x500 (tmux allows 10000x10000) gets the dashboard in its top-left 1000x500")
  func hugeTerminal() {
    var state = Fixtures.state(width: 10_000, height: 10_000)
    #expect(state.size == DashboardState.maximumSize)
    _ = update(&state, .resize(TerminalSize(width: 120, height: 40)))
    _ = update(&state, .resize(TerminalSize(width: Int.max, height: 600)))
    #expect(state.size == TerminalSize(width: 1000, height: 500))
    _ = update(&state, .resize(TerminalSize(width: 1200, height: 300)))
    #expect(state.size == TerminalSize(width: 1000, height: 300))
    #expect(render(state).size == TerminalSize(width: 1000, height: 300))
  }

  @Test("four thousand random keys and resizes never crash, and selections stay in range")
  func randomKeysAndResizes() {
    var random = SeededRandom(seed: 2024)
    var state = Fixtures.state(width: 120, height: 40)
    for step in 0..<4000 {
      if random.next() % 50 == 0 {
        let size = TerminalSize(width: Int(random.next() % 220), height: Int(random.next() % 70))
        _ = update(&state, .resize(size))
      } else {
        let key = Self.allKeys[Int(random.next() % UInt64(Self.allKeys.count))]
        // `q` asks the loop to quit (an effect); the state goes on, as the hostile keys do.
        _ = update(&state, .key(key))
      }
      if step % 50 == 0 {
        #expect(render(state).size == state.size)
      }
      for immortal in ImmortalID.allCases {
        let selection = state.symbolSelection[immortal] ?? 0
        #expect(selection >= 0 && selection <= max(0, state.displayedSymbols(immortal).count - 1))
      }
    }
  }
}
