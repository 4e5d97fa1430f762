import Foundation
import MarketCore
import Testing

@testable import LianyaohuConfig
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
  func killedMidSave() async throws {
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

    // The kills block (pipe reads, sleeps, waits): they run on a thread of their own, never
    // on one of the cooperative pool's two threads, which every other test needs.
    let rounds = try await Self.onOwnThread { try Self.killWhileSaving(executable: executable, config: file, rounds: 25) }
    var saves = 0
    for (index, round) in rounds.enumerated() {
      #expect(round.started, "round \(index): the save loop did not start")
      #expect(round.killedBySIGKILL, "round \(index)")
      saves += round.saves
      let configuration = try AppConfiguration.parse(round.text, file: file)
      #expect(configuration.seed == 4)
      #expect(round.text.contains(padding), "round \(index): the rest of the file survived whole")
      let list = try #require(configuration.core.watchlists[.luDongbin])
      #expect(versions.contains(list), "round \(index): one of the two versions ever saved")
    }
    #expect(saves >= 25)

    // Kills leave their temporary files behind; the next save that completes removes them.
    try WatchlistFile.save(WatchlistBook.defaults, to: file)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "config.toml" }
    #expect(leftovers.isEmpty, "\(leftovers)")
  }

  /// What one round saw: whether the loop had saved before the kill, how it ended, how many
  /// saves it reported, and the config's text after it died.
  struct Round: Sendable {
    var started: Bool
    var killedBySIGKILL: Bool
    var saves: Int
    var text: String
  }

  /// Starts `lianyaohu test-save-loop` `rounds` times; once it has saved, SIGKILLs it 0 to 20
  /// ms later, at a random moment within the next few saves, and reads the file it left.
  static func killWhileSaving(executable: URL, config: String, rounds: Int) throws -> [Round] {
    var random = SystemRandomNumberGenerator()
    var results: [Round] = []
    for _ in 0..<rounds {
      let process = Process()
      process.executableURL = executable
      process.arguments = ["test-save-loop", "--config", config]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      var printed = ""
      while !printed.contains("saved") {
        let data = output.fileHandleForReading.availableData
        if data.isEmpty { break }
        printed += String(decoding: data, as: UTF8.self)
      }
      let started = printed.contains("saved")
      if started { usleep(UInt32.random(in: 0...20_000, using: &random)) }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      results.append(
        Round(
          started: started,
          killedBySIGKILL: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
          saves: printed.components(separatedBy: "saved").count - 1,
          text: try String(contentsOfFile: config, encoding: .utf8)))
    }
    return results
  }

  /// Runs blocking work on a new thread and waits for it without holding a pool thread.
  static func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try work() }) }.start()
    }
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
