import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Keeps logs off the screen while the dashboard owns the terminal: log lines and anything
/// written to standard error go to a file under `$XDG_STATE_HOME/lianyaohu/`.
enum DashboardLogging {
  static func defaultLogPath(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    let base =
      environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
      ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/state")
    return base.appendingPathComponent("lianyaohu").appendingPathComponent("dashboard.log").path
  }

  /// Sends standard error to `path` until the returned value's `restore()`; nil (and
  /// standard error untouched) when the file cannot be opened.
  static func redirectStandardError(to path: String) -> StandardErrorRedirect? {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    guard file >= 0 else { return nil }
    let saved = dup(2)
    guard saved >= 0, dup2(file, 2) >= 0 else {
      close(file)
      if saved >= 0 { close(saved) }
      return nil
    }
    close(file)
    return StandardErrorRedirect(saved: saved)
  }
}

/// Undoes a standard error redirection.
final class StandardErrorRedirect: Sendable {
  private let saved: Mutex<Int32?>

  init(saved: Int32) { self.saved = Mutex(saved) }

  /// Puts standard error back; later calls do nothing.
  func restore() {
    guard
      let descriptor = saved.withLock({ value in
        defer { value = nil }; return value
      })
    else { return }
    _ = dup2(descriptor, 2)
    close(descriptor)
  }
}
