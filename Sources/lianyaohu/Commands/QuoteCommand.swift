import ArgumentParser
import ControlAPI
import ControlAPIClient
import Foundation
import Logging
import MarketCore

/// A one-shot lookup through the same core the dashboard and the API use: for scripts, and
/// for checking a provider by hand.
struct QuoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "quote",
    abstract: "Look up quotes once and print them (exit status 1 if any failed).",
    discussion: "Each failure is printed to standard error as SYMBOL: ERROR-CLASS: reason.")

  @OptionGroup var core: CoreOptions

  @Argument(help: "Symbols, e.g. AAPL BRK-B BTC-USD 600519.SS")
  var symbols: [String]

  @Option(help: "Ask only this configured provider.")
  var provider: String?

  @Flag(help: "Print JSON (one array of quote objects) instead of a table.")
  var json = false

  func validate() throws {
    guard !symbols.isEmpty else { throw ValidationError("name at least one symbol") }
    guard symbols.count <= 200 else { throw ValidationError("at most 200 symbols at once") }
    for text in symbols { _ = try Symbol.argument(text) }
  }

  func run() async throws {
    let configuration = try core.oneShotConfiguration(provider: provider)
    let core = App.build(configuration, needs: [], logger: Logger(label: "lianyaohu.quote")).core
    let requested = symbols.compactMap { try? Symbol(validating: $0) }
    let results = await core.quotes(requested)
    var failed = false
    var served: [ServedQuote] = []
    for symbol in requested {
      switch results[symbol] {
      case .success(let quote)?:
        served.append(quote)
      case .failure(let error)?:
        failed = true
        FileHandle.standardError.write(Data("\(symbol): \(error.errorClass): \(error)\n".utf8))
      case nil:
        failed = true
        FileHandle.standardError.write(Data("\(symbol): internal: no result\n".utf8))
      }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.dateEncodingStrategy = .iso8601
      // The same document as the API's GET /v1/quotes/{symbol}, one per symbol.
      FileHandle.standardOutput.write(try encoder.encode(served.map { QuoteBody($0) }) + Data("\n".utf8))
    } else {
      for quote in served { print(QuoteLine.render(quote)) }
    }
    if failed { throw ExitCode(1) }
  }
}

/// One line of `quote`'s table: the value with where it came from and how old it is.
enum QuoteLine {
  static func render(_ served: ServedQuote) -> String {
    let quote = served.quote
    let percent = quote.changePercent.map { String(format: "%+.2f%%", $0) } ?? "–"
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if quote.isSimulated { marks.append("SIM") }
    if quote.isDelayed { marks.append("DELAYED") }
    return [
      quote.symbol.text.padding(toLength: 10, withPad: " ", startingAt: 0), FeedFrame.format(quote.price), percent,
      "from \(quote.source)", "age \(FeedFrame.formatAge(served.age))",
    ].joined(separator: "  ") + (marks.isEmpty ? "" : "  " + marks.joined(separator: " "))
  }
}
