import Foundation
import Testing

@Suite("TerminalUI stays pure")
struct ArchitectureTests {
  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/TerminalUI")

  @Test("TerminalUI imports MarketCore and Foundation only, never ncurses or the backend")
  func imports() throws {
    let allowed: Set<String> = ["MarketCore", "Foundation"]
    let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") }
    #expect(!files.isEmpty)
    for file in files {
      let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("import ") {
        let module = line.dropFirst("import ".count).trimmingCharacters(in: .whitespaces)
        #expect(allowed.contains(module), "\(file) imports \(module)")
      }
    }
  }
}
