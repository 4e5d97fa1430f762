import ArgumentParser
import ControlAPIClient
import Foundation
import Logging
import MarketCore

/// A company's profile once; `--json` prints what `GET /v1/profiles/{symbol}` answers.
struct ProfileCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile",
    abstract: "Print a symbol's company profile once (exit status 1 if it cannot be had).",
    discussion: "A failure is printed to standard error as SYMBOL: ERROR-CLASS: reason.")

  @OptionGroup var core: CoreOptions

  @Argument(help: "The symbol, e.g. AAPL")
  var symbol: String

  @Option(help: "Ask only this configured provider.")
  var provider: String?

  @Flag(help: "Print the API's JSON document instead of text.")
  var json = false

  func validate() throws {
    _ = try parsedSymbol()
  }

  func run() async throws {
    let symbol = try parsedSymbol()
    let configuration = try core.oneShotConfiguration(provider: provider)
    let core = App.build(configuration, needs: [], logger: Logger(label: "lianyaohu.profile")).core
    let served: Served<Profile>
    do throws(ReadError) {
      served = try await core.profile(symbol)
    } catch {
      FileHandle.standardError.write(Data("\(symbol): \(error.errorClass): \(error)\n".utf8))
      throw ExitCode(1)
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.dateEncodingStrategy = .iso8601
      FileHandle.standardOutput.write(try encoder.encode(ProfileBody(served)) + Data("\n".utf8))
    } else {
      print(ProfileText.render(served))
    }
  }

  private func parsedSymbol() throws -> Symbol {
    try Symbol.argument(symbol)
  }
}

/// `profile`'s text: one field a line, only the ones the provider had, then where it came from.
enum ProfileText {
  static func render(_ served: Served<Profile>) -> String {
    let profile = served.value
    let fields: [(String, String?)] = [
      ("name", profile.name), ("exchange", profile.exchange), ("currency", profile.currency),
      ("sector", profile.sector), ("industry", profile.industry), ("country", profile.country),
      ("market cap", profile.marketCap.map(compact)), ("shares", profile.sharesOutstanding.map(compact)),
      ("website", profile.website),
      ("about", profile.description),
    ]
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if profile.isSimulated { marks.append("SIM") }
    var lines = [profile.symbol.text]
    for case (let label, let value?) in fields {
      lines.append(label.padding(toLength: 11, withPad: " ", startingAt: 0) + value)
    }
    lines.append(
      "from \(profile.source), age \(FeedFrame.formatAge(served.age))"
        + (marks.isEmpty ? "" : "  " + marks.joined(separator: " ")))
    return lines.joined(separator: "\n")
  }

  /// 3.43T, 14.80B, 512.00M: how desks say big counts.
  static func compact(_ value: Double) -> String {
    for (scale, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M")] where abs(value) >= scale {
      return String(format: "%.2f%@", value / scale, suffix)
    }
    return String(format: "%.0f", value)
  }
}
