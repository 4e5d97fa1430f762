import Foundation
import MCP
import MarketCore

/// A series as `get_history` answers it: a summary of the whole window, the newest bars
/// inline up to a bound, and the control API path that serves the whole series; with what
/// every served value carries (`source`, `as_of`, `age_seconds`, `stale`, `simulated`,
/// `origin`). Bars are the API's: `{"time", "open", "high", "low", "close", "adj_close"?,
/// "volume"?}`, dated by calendar day for daily and longer bars, by UTC instant otherwise.
enum HistoryFields {
  /// Bars inline when a call does not say: a year of daily bars, about.
  static let defaultBars = 250
  /// The most bars one answer holds (about 400 KiB of JSON); the API path streams the rest.
  static let maximumBars = 5_000

  /// The answer to one call: `maximumBars` of the newest bars, and a note when there are more.
  static func answer(_ served: Served<HistorySeries>, request: HistoryRequest, maximumBars limit: Int) -> ToolAnswer {
    let series = served.value
    let daily = !series.interval.isIntraday
    let shown = series.bars.suffix(max(0, limit))
    let note = self.note(series, shown: shown.count)
    let path = apiPath(request)
    var fields: [String: Value] = [
      "symbol": .string(series.symbol.text),
      "interval": .string(series.interval.rawValue),
      "from": .string(Timestamp.iso8601(Date(timeIntervalSince1970: TimeInterval(series.from)))),
      "to": .string(Timestamp.iso8601(Date(timeIntervalSince1970: TimeInterval(series.to)))),
      "source": .string(series.source.name),
      "sources": .array(series.sources.map { .string($0.name) }),
      "received_at": .string(Timestamp.iso8601(series.receivedAt)),
      "age_seconds": .double(max(0, served.age.seconds)),
      "stale": .bool(served.isStale),
      "simulated": .bool(series.isSimulated),
      "origin": .string(served.origin.rawValue),
      "bar_count": .int(series.bars.count),
      "bars": .array(shown.map { bar($0, daily: daily) }),
      "truncated": .bool(shown.count < series.bars.count),
      "gaps": .array(
        series.gaps.map { .object(["after": time($0.after, daily: daily), "before": time($0.before, daily: daily)]) }),
      "api_path": .string(path),
    ]
    fields["as_of"] = series.bars.last.map { time($0.start, daily: daily) } ?? .null
    fields["currency"] = series.currency.map { .string($0) } ?? .null
    fields["exchange_time_zone"] = series.exchangeTimeZone.map { .string($0) } ?? .null
    fields["summary"] = summary(series, daily: daily)
    fields["note"] = note.map { .string($0) } ?? .null
    return ToolAnswer(structured: .object(fields), text: text(served, shown: shown, note: note))
  }

  /// `/v1/history/{symbol}?interval=…&range=…` (or `from`/`to`): the whole series from the API.
  static func apiPath(_ request: HistoryRequest) -> String {
    "/v1/history/\(ResourceAddress.percentEncoded(request.symbol.text))?\(request.query)"
  }

  /// Why fewer bars are inline than the window holds, or that it holds none; nil otherwise.
  private static func note(_ series: HistorySeries, shown: Int) -> String? {
    if series.bars.isEmpty {
      return "no bars in this window: no session fell in it, or the providers keep none this far back"
    }
    guard shown < series.bars.count else { return nil }
    if shown == 0 { return "the summary alone (max_bars is 0) of \(series.bars.count) bars; read api_path for them" }
    return "showing the newest \(shown) of \(series.bars.count) bars (the summary covers them all); "
      + "raise max_bars (at most \(maximumBars)), ask for a shorter window or a longer interval, "
      + "or read api_path for the whole series"
  }

  private static func summary(_ series: HistorySeries, daily: Bool) -> Value {
    guard let summary = series.summary else { return .null }
    return .object([
      "first": bar(summary.first, daily: daily),
      "last": bar(summary.last, daily: daily),
      "high": .double(summary.high),
      "low": .double(summary.low),
      "change": .double(summary.change),
      "change_percent": .double(summary.changePercent),
    ])
  }

  /// The core has validated every bar (finite, positive, in order), so no field is NaN.
  static func bar(_ bar: Bar, daily: Bool) -> Value {
    var fields: [String: Value] = [
      "time": time(bar.start, daily: daily),
      "open": .double(bar.open),
      "high": .double(bar.high),
      "low": .double(bar.low),
      "close": .double(bar.close),
    ]
    if let adjusted = bar.adjustedClose { fields["adj_close"] = .double(adjusted) }
    if let volume = bar.volume { fields["volume"] = .double(volume) }
    return .object(fields)
  }

  /// A daily bar's calendar date (`2025-01-02`); an intraday bar's UTC instant.
  static func time(_ start: Int64, daily: Bool) -> Value { .string(timeText(start, daily: daily)) }

  static func timeText(_ start: Int64, daily: Bool) -> String {
    let date = Date(timeIntervalSince1970: TimeInterval(start))
    return daily ? HistoryRequest.dayText(date) : Timestamp.iso8601(date)
  }

  static let barSchema: Value = JSONSchema.object(
    [
      "time": JSONSchema.string(
        "The bar's start: its calendar day (2025-01-02) for daily and longer bars, its UTC instant "
          + "(2025-01-02T14:30:00Z) otherwise."),
      "open": JSONSchema.number(),
      "high": JSONSchema.number(),
      "low": JSONSchema.number(),
      "close": JSONSchema.number(),
      "adj_close": JSONSchema.number("The close adjusted for splits and dividends, when the provider has it."),
      "volume": JSONSchema.number("Shares (or units) traded, when the provider has it.", minimum: 0),
    ],
    required: ["time", "open", "high", "low", "close"])

  static let schema: Value = JSONSchema.object(
    [
      "symbol": JSONSchema.string("Canonical symbol (Yahoo style: BRK-B, BTC-USD, ^VIX)."),
      "interval": JSONSchema.string("Bar length.", oneOf: BarInterval.allCases.map(\.rawValue)),
      "from": JSONSchema.string("Start of the window asked for (ISO 8601, UTC, included)."),
      "to": JSONSchema.string("End of the window asked for (ISO 8601, UTC, excluded)."),
      "currency": JSONSchema.string(nullable: true),
      "exchange_time_zone": JSONSchema.string("The exchange's IANA time zone, when a provider named it.", nullable: true),
      "source": JSONSchema.string("The provider of the newest bars."),
      "sources": JSONSchema.array(JSONSchema.string(), description: "Every provider whose bars are in the series."),
      "as_of": JSONSchema.string(
        "The newest bar's time (a calendar day for daily and longer bars); null when the window has no bars.",
        nullable: true),
      "received_at": JSONSchema.string("When this server received the oldest part of the series (ISO 8601, UTC)."),
      "age_seconds": JSONSchema.number("Seconds since this server received the oldest part of the series.", minimum: 0),
      "stale": JSONSchema.boolean("Some of the bars are past their time to live: the newest may be missing."),
      "simulated": JSONSchema.boolean("From the simulated market: never real prices."),
      "origin": JSONSchema.string(
        "Where the server found the newest bars.", oneOf: ["memory", "upstream", "sharedTier", "lastKnown"]),
      "summary": JSONSchema.nullable(
        JSONSchema.object(
          [
            "first": barSchema,
            "last": barSchema,
            "high": JSONSchema.number("The highest high in the window."),
            "low": JSONSchema.number("The lowest low in the window."),
            "change": JSONSchema.number("Last close minus first close."),
            "change_percent": JSONSchema.number("The change in percent of the first close (1.25 means 1.25 %)."),
          ],
          required: ["first", "last", "high", "low", "change", "change_percent"],
          description: "The whole window, inline bars or not; null when it has no bars.")),
      "bar_count": JSONSchema.integer("Bars in the window.", minimum: 0),
      "bars": JSONSchema.array(
        barSchema, maxItems: maximumBars, description: "The newest max_bars bars of the window, oldest first."),
      "truncated": JSONSchema.boolean("The window holds more bars than are inline (see note)."),
      "note": JSONSchema.string("Why fewer bars are inline than the window holds, or that it holds none.", nullable: true),
      "gaps": JSONSchema.array(
        JSONSchema.object(
          ["after": JSONSchema.string(), "before": JSONSchema.string()], required: ["after", "before"],
          description: "Sessions the market held with no bar: between these two bars' times. Never filled in.")),
      "api_path": JSONSchema.string(
        "The control API path (GET, on lianyaohu serve) that serves the whole series, as JSON, NDJSON or CSV."),
    ],
    required: [
      "symbol", "interval", "from", "to", "currency", "exchange_time_zone", "source", "sources", "as_of", "received_at",
      "age_seconds", "stale", "simulated", "origin", "summary", "bar_count", "bars", "truncated", "note", "gaps",
      "api_path",
    ])

  /// A heading for people (`AAPL 1d · 21 bars 2025-10-29..2025-11-28 · close 100.00 → 101.00
  /// (+1.00, +1.00%) · high 102.00 · low 98.00 · alpha · 0.0 s old`), the note, then the
  /// inline bars as CSV, so a client that shows only text still has the numbers.
  private static func text(_ served: Served<HistorySeries>, shown: ArraySlice<Bar>, note: String?) -> String {
    let series = served.value
    let daily = !series.interval.isIntraday
    var parts = ["\(series.symbol.text) \(series.interval.rawValue)"]
    if let summary = series.summary {
      // Two decimals, four for prices below 10 (a currency pair, a penny stock).
      let places = abs(summary.first.close) < 10 ? 4 : 2
      let price = { (value: Double) in QuoteFields.decimal(value, places: places) }
      let sign = summary.change >= 0 ? "+" : ""
      let span = "\(timeText(summary.first.start, daily: daily))..\(timeText(summary.last.start, daily: daily))"
      parts.append("\(series.bars.count) bars \(span)")
      parts.append(
        "close \(price(summary.first.close)) → \(price(summary.last.close)) "
          + "(\(sign)\(price(summary.change)), \(sign)\(QuoteFields.decimal(summary.changePercent))%)")
      parts.append("high \(price(summary.high))")
      parts.append("low \(price(summary.low))")
    } else {
      parts.append("no bars")
    }
    parts.append(series.sources.map(\.name).joined(separator: ", "))
    parts.append("\(QuoteFields.decimal(max(0, served.age.seconds), places: 1)) s old")
    var marks: [String] = []
    if served.isStale { marks.append("STALE") }
    if series.isSimulated { marks.append("SIMULATED") }
    if !marks.isEmpty { parts.append(marks.joined(separator: " ")) }
    var lines = [parts.joined(separator: " · ")]
    if let note { lines.append(note) }
    guard !shown.isEmpty else { return lines.joined(separator: "\n") }
    lines.reserveCapacity(lines.count + shown.count + 1)
    lines.append("time,open,high,low,close,adj_close,volume")
    for bar in shown {
      var row = [timeText(bar.start, daily: daily)] + [bar.open, bar.high, bar.low, bar.close].map(plain)
      row.append(bar.adjustedClose.map(plain) ?? "")
      row.append(bar.volume.map(plain) ?? "")
      lines.append(row.joined(separator: ","))
    }
    return lines.joined(separator: "\n")
  }

  /// The shortest text that reads back as the same number, without `.0` on whole ones.
  private static func plain(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
