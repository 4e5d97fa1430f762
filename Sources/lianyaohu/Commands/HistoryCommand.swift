import ArgumentParser
import ControlAPI
import ControlAPIClient
import Foundation
import Logging
import MarketCore

/// A symbol's bars once, through the same core as everything else: for scripts and for
/// checking a provider's history by hand. `--json` and `--csv` print exactly what
/// `GET /v1/history/{symbol}` answers.
struct HistoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Print a symbol's OHLCV bars once (exit status 1 if they cannot be had).",
    discussion: """
      Intervals: \(BarInterval.allCases.map(\.rawValue).joined(separator: " ")). \
      Ranges: \(HistoryRange.allCases.map(\.rawValue).joined(separator: " ")). \
      A failure is printed to standard error as SYMBOL: ERROR-CLASS: reason.
      """)

  @OptionGroup var core: CoreOptions

  @Argument(help: "The symbol, e.g. AAPL, BTC-USD, 600519.SS")
  var symbol: String

  @Option(help: "Bar length (default 1d).")
  var interval: String?

  @Option(help: "A window ending now (default 1y); or give --from and --to.")
  var range: String?

  @Option(help: "First day of the window, YYYY-MM-DD (UTC), with --to.")
  var from: String?

  @Option(help: "Last day of the window, YYYY-MM-DD (UTC), with --from.")
  var to: String?

  @Option(help: "Ask only this configured provider.")
  var provider: String?

  @Flag(help: "Print the API's JSON document instead of a table.")
  var json = false

  @Flag(help: "Print CSV: time,open,high,low,close,adj_close,volume.")
  var csv = false

  func validate() throws {
    if json && csv { throw ValidationError("give --json or --csv, not both") }
    _ = try request()
  }

  func run() async throws {
    let history = try request()
    let configuration = try core.oneShotConfiguration(provider: provider)
    let core = App.build(configuration, needs: [], logger: Logger(label: "lianyaohu.history")).core
    let served: Served<HistorySeries>
    do throws(ReadError) {
      served = try await core.history(history)
    } catch {
      FileHandle.standardError.write(Data("\(history.symbol): \(error.errorClass): \(error)\n".utf8))
      throw ExitCode(1)
    }
    if json {
      print(HistoryWriting.document(served))
    } else if csv {
      FileHandle.standardOutput.write(Data(HistoryWriting.csv(served.value).utf8))
    } else {
      print(HistoryTable.render(served))
    }
  }

  /// The request these options describe; a bad one is a usage error (exit status 64).
  private func request() throws -> HistoryRequest {
    let symbol = try Symbol.argument(self.symbol)
    do throws(HistoryRequestError) {
      return try HistoryRequest(symbol: symbol, interval: interval, range: range, from: from, to: to)
    } catch {
      throw ValidationError("\(error)")
    }
  }
}

/// `history`'s table: a heading that says where the bars came from and how old they are,
/// then one bar per line, and the gaps the providers left.
enum HistoryTable {
  static func render(_ served: Served<HistorySeries>) -> String {
    let series = served.value
    let daily = !series.interval.isIntraday
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if series.isSimulated { marks.append("SIM") }
    var lines = [
      "\(series.symbol) \(series.interval), \(series.bars.count) bars"
        + (series.currency.map { " in \($0)" } ?? "")
        + " from \(series.sources.map(\.name).joined(separator: ", ")), age \(FeedFrame.formatAge(served.age))"
        + (marks.isEmpty ? "" : "  " + marks.joined(separator: " ")),
      [
        "time".padding(toLength: daily ? 10 : 20, withPad: " ", startingAt: 0), pad("open"), pad("high"), pad("low"),
        pad("close"), pad("adj close"), pad("volume", 14),
      ].joined(separator: " "),
    ]
    for bar in series.bars {
      lines.append(
        [
          time(bar.start, daily: daily), pad(FeedFrame.format(bar.open)), pad(FeedFrame.format(bar.high)),
          pad(FeedFrame.format(bar.low)), pad(FeedFrame.format(bar.close)),
          pad(bar.adjustedClose.map(FeedFrame.format) ?? "–"), pad(bar.volume.map { String(format: "%.0f", $0) } ?? "–", 14),
        ].joined(separator: " "))
    }
    for gap in series.gaps {
      lines.append("gap: no bars between \(time(gap.after, daily: daily)) and \(time(gap.before, daily: daily))")
    }
    return lines.joined(separator: "\n")
  }

  private static func pad(_ text: String, _ width: Int = 12) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }

  private static func time(_ start: Int64, daily: Bool) -> String {
    let date = Date(timeIntervalSince1970: TimeInterval(start))
    return daily ? HistoryRequest.dayText(date) : date.formatted(.iso8601)
  }
}
