import Foundation
import Testing

@testable import TerminalUI

/// Golden text snapshots: the rendered screen as plain lines, compared with
/// `Snapshots/<name>.txt`. Set `LIANYAOHU_RECORD=1` to write the files instead.
enum Snapshot {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Snapshots")
  static var isRecording: Bool { ProcessInfo.processInfo.environment["LIANYAOHU_RECORD"] == "1" }

  static func text(of buffer: ScreenBuffer) -> String {
    buffer.lines(trimmingTrailingSpaces: true).joined(separator: "\n") + "\n"
  }

  static func assert(_ buffer: ScreenBuffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let actual = text(of: buffer)
    let file = directory.appendingPathComponent(name + ".txt")
    if isRecording {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try Data(actual.utf8).write(to: file)
      return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
      Issue.record("no snapshot \(file.path); run with LIANYAOHU_RECORD=1 to record it", sourceLocation: sourceLocation)
      return
    }
    if expected != actual {
      let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
      let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
      var report: [String] = []
      for index in 0..<max(expectedLines.count, actualLines.count) {
        let old = index < expectedLines.count ? String(expectedLines[index]) : "<none>"
        let new = index < actualLines.count ? String(actualLines[index]) : "<none>"
        if old != new { report.append("line \(index + 1):\n  expected: \(old)\n  actual:   \(new)") }
      }
      let details = report.prefix(12).joined(separator: "\n")
      Issue.record("snapshot \(name) differs (LIANYAOHU_RECORD=1 re-records):\n\(details)", sourceLocation: sourceLocation)
    }
  }
}
