import ArgumentParser
import Foundation
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
    for text in symbols {
      do { _ = try Symbol(validating: text) } catch {
        throw ValidationError("\(ProviderError.sanitizedExcerpt(text, limit: 30)): \(error)")
      }
    }
  }

  func run() async throws {
    var configuration = try core.loadConfiguration()
    configuration.core.watchlists = [:]
    if let provider {
      if configuration.providers.isEmpty {
        configuration.providers = SimulatedMarketSetup.defaultSettings
      }
      guard configuration.providers.contains(where: { $0.name == provider }) else {
        let known = configuration.providers.map(\.name).joined(separator: ", ")
        throw ValidationError("no provider named \(ProviderError.sanitizedExcerpt(provider, limit: 32)) (configured: \(known))")
      }
      configuration.providers = configuration.providers.filter { $0.name == provider }
    }
    let core = makeCore(configuration: configuration)
    let requested = symbols.compactMap { try? Symbol(validating: $0) }
    let results = await core.quotes(requested)
    var failed = false
    var rows: [QuoteRow] = []
    for symbol in requested {
      switch results[symbol] {
      case .success(let served)?:
        rows.append(QuoteRow(served))
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
      FileHandle.standardOutput.write(try encoder.encode(rows) + Data("\n".utf8))
    } else {
      for row in rows { print(row.line) }
    }
    if failed { throw ExitCode(1) }
  }
}

/// One quote as `quote` prints it: the value with where it came from and how old it is.
struct QuoteRow: Encodable {
  var symbol: String
  var price: Double
  var change: Double?
  var changePercent: Double?
  var open: Double?
  var high: Double?
  var low: Double?
  var previousClose: Double?
  var volume: Int64?
  var currency: String?
  var asOf: Date
  var source: String
  var ageSeconds: Double
  var stale: Bool
  var simulated: Bool

  init(_ served: ServedQuote) {
    let quote = served.quote
    symbol = quote.symbol.text
    price = quote.price
    change = quote.change
    changePercent = quote.changePercent
    open = quote.open
    high = quote.high
    low = quote.low
    previousClose = quote.previousClose
    volume = quote.volume
    currency = quote.currency
    asOf = quote.asOf
    source = quote.source.name
    ageSeconds = (served.age.seconds * 1000).rounded() / 1000
    stale = served.isStale
    simulated = quote.isSimulated
  }

  var line: String {
    let percent = changePercent.map { String(format: "%+.2f%%", $0) } ?? "–"
    var marks: [String] = []
    if stale { marks.append("STALE") }
    if simulated { marks.append("SIM") }
    return [
      symbol.padding(toLength: 10, withPad: " ", startingAt: 0), FeedFrame.format(price), percent, "from \(source)",
      "age \(FeedFrame.formatAge(.nanoseconds(Int64(ageSeconds * 1e9))))",
    ].joined(separator: "  ") + (marks.isEmpty ? "" : "  " + marks.joined(separator: " "))
  }
}
