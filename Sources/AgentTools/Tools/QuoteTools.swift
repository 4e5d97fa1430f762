import MCP
import MarketCore

extension AgentTool {
  /// `get_quote {symbol}`: one quote through the cached, hedged, breaker-guarded read path.
  static let getQuote = AgentTool(
    name: "get_quote", title: "Get a quote",
    description: """
      The current quote for one symbol (Yahoo-style canonical symbols: AAPL, BRK-B, BTC-USD, EURUSD=X, ^VIX, \
      600519.SS). Every answer says where the price came from (source), when it was true (as_of), how old it is \
      (age_seconds) and whether it is stale, simulated or delayed. An unknown symbol or failing providers are \
      reported as an error result with a stable class.
      """,
    inputSchema: JSONSchema.object(
      ["symbol": JSONSchema.string("The symbol to quote.", minLength: 1, maxLength: 32)], required: ["symbol"]),
    outputSchema: QuoteFields.schema, changesState: false, idempotent: true
  ) { arguments, context throws(MCPError) in
    let text = try arguments.string("symbol")
    let symbol: Symbol
    do throws(ReadError) {
      symbol = try QuoteReading.symbol(text)
    } catch {
      return .failure(error, symbol: Excerpt.printable(text))
    }
    do throws(ReadError) {
      let served = try await context.core.quote(symbol)
      return ToolAnswer(structured: QuoteFields.value(served), text: QuoteFields.text(served))
    } catch {
      return .failure(error, symbol: symbol.text)
    }
  }

  /// `get_quotes {symbols}`: many quotes at once, fetched in provider batches.
  static let getQuotes = AgentTool(
    name: "get_quotes", title: "Get several quotes",
    description: """
      Quotes for up to 200 symbols in one call, fetched in provider batches. Every symbol lands in exactly one \
      of the two lists, in the order asked: quotes (each with source, as_of, age_seconds, stale, simulated, \
      delayed) or errors (each with the stable error class). Duplicates are answered once.
      """,
    inputSchema: JSONSchema.object(
      [
        "symbols": JSONSchema.array(
          JSONSchema.string(minLength: 1, maxLength: 32), minItems: 1, maxItems: AgentToolsConfiguration.maximumBatchSymbols,
          description: "The symbols to quote, at most \(AgentToolsConfiguration.maximumBatchSymbols).")
      ], required: ["symbols"]),
    outputSchema: JSONSchema.object(
      [
        "quotes": JSONSchema.array(QuoteFields.schema),
        "errors": JSONSchema.array(
          JSONSchema.object(["symbol": JSONSchema.string(), "error": ErrorFields.schema], required: ["symbol", "error"])),
      ], required: ["quotes", "errors"]),
    changesState: false, idempotent: true
  ) { arguments, context throws(MCPError) in
    let texts = try arguments.strings("symbols")
    guard texts.count <= context.configuration.maximumBatchSymbols else {
      throw .invalidParams("symbols: at most \(context.configuration.maximumBatchSymbols) symbols per call, got \(texts.count)")
    }
    return await QuoteReading.batch(texts, core: context.core)
  }
}

/// What both quote tools and the quote resource share: symbol parsing as the API does it,
/// and the batch answer.
enum QuoteReading {
  /// The core's own validation (canonical form, bounded length); a bad symbol is the
  /// `invalid_symbol` class, as in the API.
  static func symbol(_ text: some StringProtocol) throws(ReadError) -> Symbol {
    do {
      return try Symbol(validating: text)
    } catch {
      throw .invalidSymbol(error)
    }
  }

  static func batch(_ texts: [String], core: MarketDataCore) async -> ToolAnswer {
    var parsed: [(text: String, symbol: Result<Symbol, ReadError>)] = []
    var seen = Set<String>()
    for text in texts where seen.insert(text).inserted {
      parsed.append((text, Result { () throws(ReadError) in try symbol(text) }))
    }
    let symbols = parsed.compactMap { try? $0.symbol.get() }
    let results = symbols.isEmpty ? [:] : await core.quotes(symbols)
    var quotes: [Value] = []
    var errors: [Value] = []
    var lines: [String] = []
    var answered = Set<Symbol>()
    for (text, parse) in parsed {
      switch parse {
      case .failure(let error):
        errors.append(.object(["symbol": .string(Excerpt.printable(text)), "error": ErrorFields.value(error)]))
        lines.append("\(Excerpt.printable(text)): \(error.errorClass)")
      case .success(let symbol):
        guard answered.insert(symbol).inserted else { continue }
        switch results[symbol] ?? .failure(.cancelled) {
        case .success(let served):
          quotes.append(QuoteFields.value(served))
          lines.append(QuoteFields.text(served))
        case .failure(let error):
          errors.append(.object(["symbol": .string(symbol.text), "error": ErrorFields.value(error)]))
          lines.append("\(symbol.text): \(error.errorClass): \(error.description)")
        }
      }
    }
    return ToolAnswer(
      structured: .object(["quotes": .array(quotes), "errors": .array(errors)]), text: lines.joined(separator: "\n"))
  }
}
