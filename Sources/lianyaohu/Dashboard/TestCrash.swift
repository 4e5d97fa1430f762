import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Test only: makes `dash` crash on purpose, so the end-to-end tests can check that a crash
/// still gives the terminal back (`Tests/e2e/dashboard.sh`). Read by `dash` alone, never
/// documented in `--help`:
///
/// - `LIANYAOHU_TEST_CRASH_AFTER_MS=N`: crash N milliseconds (1 to 600000) after the terminal
///   opened, from a task on Swift's cooperative pool, not from the terminal's own thread;
/// - `LIANYAOHU_TEST_CRASH_KIND`: `abort` (SIGABRT, the default), `segv` (a store to an unmapped
///   address: SIGSEGV) or `trap` (a Swift runtime trap, as a failed precondition makes).
///
/// Any other value of either leaves the dashboard alone.
struct TestCrash: Sendable, Equatable {
  enum Kind: String, Sendable, CaseIterable {
    case abort, segv, trap
  }

  static let delayVariable = "LIANYAOHU_TEST_CRASH_AFTER_MS"
  static let kindVariable = "LIANYAOHU_TEST_CRASH_KIND"

  var delay: Duration
  var kind: Kind

  /// The crash the environment asks for, if any.
  init?(environment: [String: String]) {
    guard let text = environment[Self.delayVariable], let milliseconds = Int(text), (1...600_000).contains(milliseconds)
    else { return nil }
    let kindText = environment[Self.kindVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Kind.abort.rawValue
    guard let kind = Kind(rawValue: kindText) else { return nil }
    self.delay = .milliseconds(milliseconds)
    self.kind = kind
  }

  /// Crashes the process after the delay.
  func schedule() {
    Task.detached { [self] in
      try? await Task.sleep(for: delay)
      crash()
    }
  }

  private func crash() -> Never {
    switch kind {
    case .abort:
      abort()
    case .segv:
      // Page zero is never mapped; `bitPattern` gives a non-nil pointer into it.
      let unmapped = UnsafeMutablePointer<UInt8>(bitPattern: 64)
      unmapped?.pointee = 1
      abort()
    case .trap:
      fatalError("\(Self.delayVariable): the crash a test asked for")
    }
  }
}
