import Foundation
import MarketCore
import Testing

@Suite("Bulk work executor")
struct BulkWorkExecutorTests {
  @Test("work preferring it runs on its own thread, at its lower priority, and every task finishes")
  func runsApart() async throws {
    let executor = BulkWorkExecutor(name: "bulk-test", niceness: 7)
    let seen = try await withTaskExecutorPreference(executor) {
      try await withThrowingTaskGroup(of: (String?, Int?).self) { group in
        for _ in 0..<50 {
          group.addTask { (Self.threadName(), Self.niceness()) }
        }
        var seen: [(String?, Int?)] = []
        for try await result in group { seen.append(result) }
        return seen
      }
    }
    #expect(seen.count == 50)
    #expect(seen.allSatisfy { $0.0 == "bulk-test" })
    #if os(Linux)
      #expect(seen.allSatisfy { $0.1 == 7 })
    #endif
  }

  /// The calling thread's name as the kernel knows it (Foundation's `Thread.name` is not
  /// reliable for the current thread on Linux).
  private static func threadName() -> String? {
    #if os(Linux)
      (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
    #else
      Thread.current.name
    #endif
  }

  /// The calling thread's niceness, from the kernel's own account of it.
  private static func niceness() -> Int? {
    #if os(Linux)
      guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
      else { return nil }
      // Fields after the command name start at field 3 (state); niceness is field 19.
      let fields = stat[afterName.upperBound...].split(separator: " ")
      return fields.count > 16 ? Int(fields[16]) : nil
    #else
      return nil
    #endif
  }
}
