import Foundation
import MarketCore

/// The text of one feed frame: every immortal's active symbols with price, change, source and
/// age; stale and simulated values are marked in words, not only colour.
enum FeedFrame {
  static func render(core: MarketDataCore) -> String {
    let now = core.clock.wallNow()
    var lines: [String] = []
    let statistics = core.cacheStatistics()[0]
    let hitRatio = statistics.hitRatio.map { String(format: "%.0f%%", $0 * 100) } ?? "–"
    lines.append(
      "炼妖壶 Lianyaohu  \(timeFormatter.string(from: now)) UTC  cache \(statistics.entries) entries, hit \(hitRatio)  [SIMULATED]")
    for immortal in Immortal.all {
      let list = core.watchlist(immortal.id)
      lines.append("")
      lines.append("\(immortal.chineseName) \(immortal.pinyin)  \(immortal.trigram)\(immortal.trigramSymbol)  \(immortal.stance)")
      for symbol in list.activeSymbols {
        guard let served = core.lastKnown(symbol) else {
          lines.append("  \(pad(symbol.text, 10))  waiting for first quote")
          continue
        }
        let quote = served.quote
        let change = quote.change.map { String(format: "%+.2f", $0) } ?? "–"
        let percent = quote.changePercent.map { String(format: "%+.2f%%", $0) } ?? "–"
        var marks: [String] = []
        if served.isStale { marks.append("STALE") }
        if quote.isSimulated { marks.append("SIM") }
        if quote.isDelayed { marks.append("DELAYED") }
        lines.append(
          "  \(pad(symbol.text, 10)) \(pad(format(quote.price), 12, right: true)) \(pad(change, 10, right: true)) "
            + "\(pad(percent, 8, right: true))  \(pad(quote.source.name, 10)) \(pad(formatAge(served.age), 6, right: true))"
            + (marks.isEmpty ? "" : "  " + marks.joined(separator: " ")))
      }
    }
    let recent = core.recentEvents.suffix(3)
    if !recent.isEmpty {
      lines.append("")
      for event in recent.reversed() { lines.append("• \(timeFormatter.string(from: event.time)) \(event.summary)") }
    }
    return lines.joined(separator: "\n")
  }

  static func format(_ price: Double) -> String {
    price < 10 ? String(format: "%.4f", price) : String(format: "%.2f", price)
  }

  static func formatAge(_ age: Duration) -> String {
    let seconds = age.seconds
    if seconds < 10 { return String(format: "%.1fs", seconds) }
    if seconds < 120 { return "\(Int(seconds))s" }
    return "\(Int(seconds / 60))m"
  }

  static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
  }

  static let timeFormatter: DateFormatter = {
    let formatter = DateFormatter()
    formatter.dateFormat = "HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter
  }()
}
