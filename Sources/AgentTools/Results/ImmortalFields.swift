import MCP
import MarketCore

/// An immortal as the tools and resources answer it: the control API's immortal body (`id`,
/// `name`, `pinyin`, `trigram`, `trigram_symbol`, `stance`, `symbols`), each watchlist entry
/// with its active flag and, when asked for, its quote or the error that stood in for one.
enum ImmortalFields {
  static func value(
    _ immortal: Immortal, watchlist: Watchlist, quotes: [Symbol: Result<ServedQuote, ReadError>]? = nil
  ) -> Value {
    let entries: [Value] = watchlist.entries.map { entry in
      var fields: [String: Value] = ["symbol": .string(entry.symbol.text), "active": .bool(entry.isActive)]
      switch quotes?[entry.symbol] {
      case .success(let served)?: fields["quote"] = QuoteFields.value(served)
      case .failure(let error)?: fields["error"] = ErrorFields.value(error)
      case nil: break
      }
      return .object(fields)
    }
    return .object([
      "id": .string(immortal.id.rawValue),
      "name": .string(immortal.chineseName),
      "pinyin": .string(immortal.pinyin),
      "trigram": .string(immortal.trigram),
      "trigram_symbol": .string(immortal.trigramSymbol),
      "stance": .string(immortal.stance),
      "symbols": .array(entries),
    ])
  }

  static let identifiers = ImmortalID.allCases.map(\.rawValue)

  static let idSchema = JSONSchema.string(
    "The immortal's id: " + identifiers.joined(separator: ", ") + ".", oneOf: identifiers)

  static func schema(withQuotes: Bool) -> Value {
    var entry: [String: Value] = [
      "symbol": JSONSchema.string(),
      "active": JSONSchema.boolean("Kept fresh by the refresh loop; inactive symbols stay listed."),
    ]
    if withQuotes {
      entry["quote"] = QuoteFields.schema
      entry["error"] = ErrorFields.schema
    }
    return JSONSchema.object(
      [
        "id": idSchema,
        "name": JSONSchema.string("Chinese name."),
        "pinyin": JSONSchema.string(),
        "trigram": JSONSchema.string(),
        "trigram_symbol": JSONSchema.string(),
        "stance": JSONSchema.string("How this immortal argues about markets."),
        "symbols": JSONSchema.array(JSONSchema.object(entry, required: ["symbol", "active"])),
      ],
      required: ["id", "name", "pinyin", "trigram", "trigram_symbol", "stance", "symbols"])
  }

  /// `吕洞宾 Lü Dongbin ☰乾 · bull, growth stock-picking · AAPL NVDA (MSFT off)`.
  static func text(_ immortal: Immortal, watchlist: Watchlist) -> String {
    let symbols = watchlist.entries.map { $0.isActive ? $0.symbol.text : "(\($0.symbol.text) off)" }
    return "\(immortal.chineseName) \(immortal.pinyin) \(immortal.trigramSymbol)\(immortal.trigram) · \(immortal.stance) · "
      + (symbols.isEmpty ? "no symbols" : symbols.joined(separator: " "))
  }
}
