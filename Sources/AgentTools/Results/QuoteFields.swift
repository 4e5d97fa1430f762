import MCP
import MarketCore

/// A quote as the tools and resources answer it: the control API's quote body (same
/// snake_case names: `source`, `as_of`, `age_seconds`, `stale`, `simulated`, `origin`) plus
/// `delayed`, so an agent never takes an old, fake or delayed price for a live one.
enum QuoteFields {
  static func value(_ served: ServedQuote) -> Value {
    let quote = served.quote
    var fields: [String: Value] = [
      "symbol": .string(quote.symbol.text),
      "price": .double(quote.price),
      "as_of": .string(Timestamp.iso8601(quote.asOf)),
      "received_at": .string(Timestamp.iso8601(quote.receivedAt)),
      "source": .string(quote.source.name),
      "age_seconds": .double(max(0, served.age.seconds)),
      "stale": .bool(served.isStale),
      "simulated": .bool(quote.isSimulated),
      "delayed": .bool(quote.isDelayed),
      "origin": .string(served.origin.rawValue),
    ]
    fields["change"] = number(quote.change)
    fields["change_percent"] = number(quote.changePercent)
    fields["open"] = number(quote.open)
    fields["high"] = number(quote.high)
    fields["low"] = number(quote.low)
    fields["previous_close"] = number(quote.previousClose)
    fields["volume"] = quote.volume.map { .int(Int($0)) } ?? .null
    fields["currency"] = quote.currency.map { .string($0) } ?? .null
    return .object(fields)
  }

  /// JSON has no NaN or infinity: a provider glitch becomes `null`, never a broken answer.
  private static func number(_ value: Double?) -> Value {
    guard let value, value.isFinite else { return .null }
    return .double(value)
  }

  static let schema: Value = JSONSchema.object(
    [
      "symbol": JSONSchema.string("Canonical symbol (Yahoo style: BRK-B, BTC-USD, ^VIX)."),
      "price": JSONSchema.number("Last price."),
      "change": JSONSchema.number("Change since the previous close.", nullable: true),
      "change_percent": JSONSchema.number("Day change in percent (1.25 means 1.25 %).", nullable: true),
      "open": JSONSchema.number(nullable: true),
      "high": JSONSchema.number(nullable: true),
      "low": JSONSchema.number(nullable: true),
      "previous_close": JSONSchema.number(nullable: true),
      "volume": JSONSchema.integer(nullable: true),
      "currency": JSONSchema.string(nullable: true),
      "as_of": JSONSchema.string("When the provider says the price was true (ISO 8601, UTC)."),
      "received_at": JSONSchema.string("When this server received it (ISO 8601, UTC)."),
      "source": JSONSchema.string("The provider that supplied the price."),
      "age_seconds": JSONSchema.number("Seconds since this server received the price.", minimum: 0),
      "stale": JSONSchema.boolean("Past its time to live: treat as old."),
      "simulated": JSONSchema.boolean("From the simulated market: never a real price."),
      "delayed": JSONSchema.boolean("Published by the provider with a deliberate delay (e.g. 15 minutes)."),
      "origin": JSONSchema.string(
        "Where the server found it.", oneOf: ["memory", "upstream", "sharedTier", "lastKnown"]),
    ],
    required: [
      "symbol", "price", "as_of", "received_at", "source", "age_seconds", "stale", "simulated", "delayed", "origin",
    ])

  /// One line for people: `AAPL 231.55 -0.55 (-0.24%) · sim-alpha · as of … · 0.4 s old · SIMULATED`.
  static func text(_ served: ServedQuote) -> String {
    let quote = served.quote
    var parts = ["\(quote.symbol.text) \(decimal(quote.price))"]
    if let change = quote.change, change.isFinite {
      let sign = change >= 0 ? "+" : ""
      var move = "\(sign)\(decimal(change))"
      if let percent = quote.changePercent, percent.isFinite { move += " (\(sign)\(decimal(percent))%)" }
      parts[0] += " " + move
    }
    parts.append(quote.source.name)
    parts.append("as of \(Timestamp.iso8601(quote.asOf))")
    parts.append("\(decimal(max(0, served.age.seconds), places: 1)) s old")
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if quote.isSimulated { marks.append("SIMULATED") }
    if quote.isDelayed { marks.append("DELAYED") }
    if !marks.isEmpty { parts.append(marks.joined(separator: " ")) }
    return parts.joined(separator: " · ")
  }

  /// Fixed-point text without a formatter (the text rendering is on every call's path).
  static func decimal(_ value: Double, places: Int = 2) -> String {
    guard value.isFinite else { return "nan" }
    guard abs(value) < 1e15 else { return String(value) }
    var scale = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = Int((abs(value) * Double(scale)).rounded())
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard places > 0 else { return sign + String(scaled) }
    let digits = String(scaled % scale)
    return sign + String(scaled / scale) + "." + String(repeating: "0", count: places - digits.count) + digits
  }
}

/// `{"class": "...", "message": "..."}`: the control API's error detail, the same stable classes.
enum ErrorFields {
  static func value(class errorClass: String, message: String) -> Value {
    .object(["class": .string(errorClass), "message": .string(message)])
  }

  static func value(_ error: ReadError) -> Value { value(class: error.errorClass, message: error.description) }

  static let schema: Value = JSONSchema.object(
    [
      "class": JSONSchema.string("Stable error class for programs (unknown_symbol, upstream_failed, …)."),
      "message": JSONSchema.string("What went wrong, for people."),
    ],
    required: ["class", "message"])

  /// What a tool's error result holds (`isError: true`): the error, and the symbol it is about
  /// when there is one. Tools publish their success shape as the output schema; this is the
  /// other shape a client can meet.
  static let resultSchema: Value = JSONSchema.object(
    ["error": schema, "symbol": JSONSchema.string("The symbol the error is about, as asked (printable, bounded).")],
    required: ["error"])
}
