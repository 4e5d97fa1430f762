import Foundation
import MarketCore
import Testing

@testable import lianyaohu

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Atomic config saves")
struct AtomicSaveTests {
  /// The `lianyaohu` executable built beside this test bundle (`swift build --build-tests`).
  static func executable() -> URL? {
    guard let bundle = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    let candidate = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("lianyaohu")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
  }

  @Test("SIGKILL in the middle of watchlist saves never leaves a config that does not parse")
  func killedMidSave() throws {
    let executable = try #require(Self.executable(), "build the lianyaohu executable first (swift build --build-tests)")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-kill-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("config.toml").path
    // Small enough (7 kB) that several saves fit in the kill window below: against a writer
    // that truncates the file in place, about a third of these kills leave it broken.
    let padding = (0..<100).map { "# line \($0) of the operator's notes, which a save must keep whole\n" }.joined()
    let original = "[core]\nseed = 4\n\n\(padding)\n[watchlists.lu-dongbin]\nsymbols = [\"AAPL\", \"MSFT\"]\n"
    try original.write(toFile: file, atomically: false, encoding: .utf8)
    let aapl = Symbol("AAPL")
    let msft = Symbol("MSFT")
    let versions: Set<Watchlist> = [
      Watchlist(entries: [.init(symbol: aapl), .init(symbol: msft)]),
      Watchlist(entries: [.init(symbol: aapl, isActive: false), .init(symbol: msft)]),
    ]

    var random = SystemRandomNumberGenerator()
    var saves = 0
    for round in 0..<25 {
      let process = Process()
      process.executableURL = executable
      process.arguments = ["test-save-loop", "--config", file]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      // Once the first save is done, the loop is saving continuously: kill it at a random
      // moment within the next few saves.
      var printed = ""
      while !printed.contains("saved") {
        let data = output.fileHandleForReading.availableData
        if data.isEmpty { break }
        printed += String(decoding: data, as: UTF8.self)
      }
      try #require(printed.contains("saved"), "round \(round): the save loop did not start")
      usleep(UInt32.random(in: 0...20_000, using: &random))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
      saves += printed.components(separatedBy: "saved").count - 1

      let text = try String(contentsOfFile: file, encoding: .utf8)
      let configuration = try AppConfiguration.parse(text, file: file)
      #expect(configuration.seed == 4)
      #expect(text.contains(padding), "round \(round): the rest of the file survived whole")
      let list = try #require(configuration.core.watchlists[.luDongbin])
      #expect(versions.contains(list), "round \(round): one of the two versions ever saved")
    }
    #expect(saves >= 25)

    // Kills leave their temporary files behind; the next save that completes removes them.
    try WatchlistFile.save(WatchlistBook.defaults, to: file)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "config.toml" }
    #expect(leftovers.isEmpty, "\(leftovers)")
  }

  @Test("a save keeps another running process's temporary file")
  func keepsLiveTemporaries() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-live-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("config.toml").path
    // PID 1 always exists: its save may be in progress.
    let live = file + ".tmp-1"
    try "half a save".write(toFile: live, atomically: false, encoding: .utf8)
    try WatchlistFile.save(WatchlistBook.defaults, to: file)
    #expect(FileManager.default.fileExists(atPath: live))
    #expect(try AppConfiguration.parse(String(contentsOfFile: file, encoding: .utf8), file: file).core.watchlists.count == 8)
  }
}
