import Foundation
import MarketCore

/// Saves operators' watchlist edits into the config file. Only the `[watchlists.*]` tables
/// are rewritten (at the end of the file); every other line, comments included, is kept.
public enum WatchlistFile {
  /// Rewrites the watchlist tables of the config file at `path` (which need not exist yet),
  /// atomically: a reader, a crash or a SIGKILL mid-save sees the old file or the new one.
  public static func save(_ watchlists: [ImmortalID: Watchlist], to path: String) throws(AtomicFile.WriteError) {
    let existing = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
    try AtomicFile.write(rewrite(existing, with: watchlists), to: path)
  }

  /// Written above the tables it rewrites; it sits outside them, so it is recognised and
  /// dropped on the next rewrite rather than kept as one of the operator's own lines.
  public static let header = "# Watchlists: rewritten by lianyaohu when an operator edits them."

  /// The config text with its watchlist tables replaced by `watchlists`, in the file's own
  /// line endings (CRLF stays CRLF). Rewriting its own output gives the same text.
  public static func rewrite(_ text: String, with watchlists: [ImmortalID: Watchlist]) -> String {
    var kept: [Substring] = []
    var inWatchlists = false
    let newline = text.contains("\r\n") ? "\r\n" : "\n"
    for line in text.textFileLines {
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if trimmed.hasPrefix("[") {
        let name = trimmed.drop { $0 == "[" }.prefix { $0 != "]" }.trimmingSpaces()
        inWatchlists = name == "watchlists" || name.hasPrefix("watchlists.")
      }
      if !inWatchlists && line != header { kept.append(line) }
    }
    while let last = kept.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { kept.removeLast() }
    var lines = kept.map(String.init)
    if !lines.isEmpty { lines.append("") }
    lines.append(header)
    for id in ImmortalID.allCases {
      guard let list = watchlists[id] else { continue }
      lines += ["", "[watchlists.\(id.rawValue)]"]
      lines.append("symbols = [\(list.symbols.map { "\"\($0.text)\"" }.joined(separator: ", "))]")
      let inactive = list.entries.filter { !$0.isActive }.map(\.symbol)
      if !inactive.isEmpty { lines.append("inactive = [\(inactive.map { "\"\($0.text)\"" }.joined(separator: ", "))]") }
    }
    return lines.joined(separator: newline) + newline
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var slice = self[...]
    while let first = slice.first, first == " " || first == "\t" || first == "\"" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" || last == "\"" { slice = slice.dropLast() }
    return slice
  }
}
