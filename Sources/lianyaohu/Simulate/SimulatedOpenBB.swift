import Foundation
import MarketCore
import Synchronization

/// The OpenBB Platform's quote, historical and profile routes played by the embedded
/// simulated market, without I/O: a request line in, a plan out (what to answer, after how
/// long, or to hang or reset).
///
/// Answers have OpenBB's shape so ``OpenBBAdapter`` reads them unchanged: the OBBject
/// envelope (`id`, `results`, `provider`, `warnings`, `chart`, `extra`), FMP-backed result
/// fields with `change_percent` as a fraction, `{"detail": …}` errors with OpenBB's statuses
/// (422 for a missing or invalid parameter, 204 for no data, 500 for a failure). OpenBB has
/// no field saying a price is not real, so each result and `extra` carry `"simulated": true`.
/// The historical and profile routes are in `SimulatedOpenBB+History.swift`.
final class SimulatedOpenBB: Sendable {
  /// A complete answer.
  struct Reply: Hashable, Sendable {
    var status: Int
    var contentType: String?
    var body: [UInt8]
    /// Sent as `Retry-After` (a 429's).
    var retryAfterSeconds: Int? = nil

    static func json(_ value: JSONText, status: Int = 200) -> Reply {
      Reply(status: status, contentType: "application/json", body: value.bytes)
    }

    static func detail(_ text: String, status: Int) -> Reply {
      json(.object([("detail", .string(text))]), status: status)
    }
  }

  /// What the server does with one request.
  enum Plan: Hashable, Sendable {
    case reply(Reply, after: Duration)
    /// Never answer (the client's timeout decides); the server closes after a long while.
    case hang
    /// Reset the connection without an answer, as a server that is down does.
    case reset
  }

  static let route = "/api/v1/equity/price/quote"
  static let historicalRoute = "/api/v1/equity/price/historical"
  static let profileRoute = "/api/v1/equity/profile"
  /// The data providers `openbb-api` offers for this route; any other is a 422, as there.
  static let backends = ["cboe", "fmp", "intrinio", "tmx", "tradier", "yfinance"]
  static let defaultBackend = "fmp"

  let market: SimulatedMarket
  let behaviour: SimulatedBehaviour
  let clock: any MarketClock
  /// The fault schedule of a chaos run, counted from ``chaosOrigin``; `nil` outside one.
  let chaos: ChaosSchedule?
  /// When the chaos schedule's phase 0 began: when this route was made.
  let chaosOrigin: MarketInstant
  private let random: Mutex<SeededRandom>
  private let tallies = Mutex<[Int: ChaosTally]>([:])

  /// What one chaos phase did to the requests it saw.
  struct ChaosTally: Hashable, Sendable {
    var requests = 0
    var faulted = 0
  }

  init(
    market: SimulatedMarket, behaviour: SimulatedBehaviour, clock: any MarketClock, seed: UInt64,
    chaos: ChaosSchedule? = nil
  ) {
    self.market = market
    self.behaviour = behaviour
    self.clock = clock
    self.chaos = chaos
    self.chaosOrigin = clock.now()
    self.random = Mutex(SeededRandom(seed: SeededRandom.derivedSeed(seed, "simulate-server")))
  }

  /// The chaos phase running at `instant`, if a schedule is set.
  func chaosPhase(at instant: MarketInstant) -> ChaosSchedule.Phase? {
    chaos?.phase(at: instant - chaosOrigin)
  }

  /// The requests phase `index` saw and how many it faulted; forgets them (read once, when the
  /// phase has ended).
  func takeChaosTally(phase index: Int) -> ChaosTally {
    tallies.withLock { $0.removeValue(forKey: index) } ?? ChaosTally()
  }

  /// Decides the answer to `method uri` now: outages first, then the chaos phase's fault, then
  /// the drawn fault, then the route itself, each answer after a latency drawn from the
  /// behaviour (or from the chaos phase during a latency spike).
  func plan(method: String, uri: String) -> Plan {
    let now = clock.now()
    if behaviour.isInOutage(at: now) { return .reset }
    enum Fault: Equatable { case none, error, timeout, garbage, reset, rateLimited(Int) }
    let phase = chaosPhase(at: now)
    let (fault, latency, id): (Fault, Duration, String) = random.withLock { random in
      let roll = random.nextUnit()
      let latency = (phase?.latency ?? behaviour.latency).sample(&random)
      let id = Self.identifier(&random)
      if let phase, let injected = phase.fault, injected != .latency, random.nextUnit() < phase.rate {
        switch injected {
        case .errors: return (.error, latency, id)
        case .resets: return (.reset, latency, id)
        case .garbage: return (.garbage, latency, id)
        case .rateLimit: return (.rateLimited(phase.retryAfterSeconds), latency, id)
        case .latency: break
        }
      }
      if roll < behaviour.timeoutRate { return (.timeout, latency, id) }
      if roll < behaviour.timeoutRate + behaviour.errorRate { return (.error, latency, id) }
      if roll < behaviour.timeoutRate + behaviour.errorRate + behaviour.garbageRate { return (.garbage, latency, id) }
      return (.none, latency, id)
    }
    if let phase {
      let faulted = fault != .none || phase.fault == .latency
      tallies.withLock { tallies in
        tallies[phase.index, default: ChaosTally()].requests += 1
        if faulted { tallies[phase.index, default: ChaosTally()].faulted += 1 }
      }
    }
    switch fault {
    case .timeout: return .hang
    case .reset: return .reset
    case .rateLimited(let seconds):
      var reply = Reply.detail("Rate limit exceeded. Try again later.", status: 429)
      reply.retryAfterSeconds = seconds
      return .reply(reply, after: .zero)
    // openbb-core's handler for any unexpected exception.
    case .error: return .reply(.detail("Unexpected error.", status: 500), after: latency)
    // What a proxy in front of a sick server sends: HTML with a 200.
    case .garbage:
      return .reply(
        Reply(
          status: 200, contentType: "text/html; charset=utf-8",
          body: Array("<html><body><h1>502 Bad Gateway</h1>(simulated)</body></html>\n".utf8)), after: latency)
    case .none:
      return .reply(answer(method: method, uri: uri, at: now, id: id), after: latency)
    }
  }

  /// The route's answer when nothing goes wrong on purpose.
  func answer(method: String, uri: String, at now: MarketInstant, id: String) -> Reply {
    let (pathText, query) = Self.split(uri)
    let path = String(pathText)
    guard [Self.route, Self.historicalRoute, Self.profileRoute].contains(path) else {
      return .detail("Not Found", status: 404)
    }
    guard method == "GET" else { return .detail("Method Not Allowed", status: 405) }
    let backend = query["provider"] ?? Self.defaultBackend
    guard Self.backends.contains(backend) else {
      let expected = Self.backends.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or 'yfinance'"
      return Self.validationError(
        type: "literal_error", field: "provider", message: "Input should be \(expected)", input: .string(backend))
    }
    switch path {
    case Self.historicalRoute: return historical(query, backend: backend, at: now, id: id)
    case Self.profileRoute: return profiles(query, backend: backend, at: now, id: id)
    default: break
    }
    let list: String
    let symbols: [Symbol]
    switch Self.symbols(in: query) {
    case .failure(let refusal): return refusal.reply
    case .success(let parsed): (list, symbols) = parsed
    }
    var results: [JSONText] = []
    var warnings: [JSONText] = []
    for symbol in symbols {
      guard let tick = market.tick(for: symbol, at: now) else {
        warnings.append(Self.noDataWarning(for: symbol))
        continue
      }
      results.append(row(for: tick, backend: backend))
    }
    // openbb-core turns EmptyDataError into a bare 204.
    guard !results.isEmpty else { return Reply(status: 204, contentType: nil, body: []) }
    return .json(
      envelope(
        results, warnings: warnings, backend: backend, route: "/equity/price/quote",
        arguments: [("symbol", .string(list))], at: now, id: id))
  }

  /// A reply that refuses the request, as an error value.
  struct Refusal: Error {
    var reply: Reply
  }

  /// The `symbol` parameter (a comma-separated list, deduplicated, order kept), or the 422 a
  /// missing or invalid one gets.
  static func symbols(in query: [String: String]) -> Result<(list: String, symbols: [Symbol]), Refusal> {
    guard let list = query["symbol"] else {
      return .failure(Refusal(reply: validationError(type: "missing", field: "symbol", message: "Field required", input: .null)))
    }
    var symbols: [Symbol] = []
    for part in list.split(separator: ",", omittingEmptySubsequences: false) {
      let text = part.trimmingCharacters(in: .whitespaces)
      guard let symbol = try? Symbol(validating: text) else {
        return .failure(
          Refusal(
            reply: validationError(
              type: "value_error", field: "symbol", message: "Value error, invalid symbol '\(text.prefix(32))'",
              input: .string(String(list.prefix(200))))))
      }
      if !symbols.contains(symbol) { symbols.append(symbol) }
    }
    return .success((list, symbols))
  }

  /// The warning openbb-api's backends give a symbol they found nothing for.
  static func noDataWarning(for symbol: Symbol) -> JSONText {
    .object([
      ("category", .string("OpenBBWarning")),
      ("message", .string("Symbol Error: No data found for \(symbol.text)")),
    ])
  }

  /// The OBBject around `results`, as openbb-api sends it, marked simulated in `extra`.
  func envelope(
    _ results: [JSONText], warnings: [JSONText], backend: String, route: String, arguments: [(String, JSONText)],
    at now: MarketInstant, id: String
  ) -> JSONText {
    .object([
      ("id", .string(id)),
      ("results", .array(results)),
      ("provider", .string(backend)),
      ("warnings", warnings.isEmpty ? .null : .array(warnings)),
      ("chart", .null),
      (
        "extra",
        .object([
          (
            "metadata",
            .object([
              (
                "arguments",
                .object([
                  ("provider_choices", .object([("provider", .string(backend))])),
                  ("standard_params", .object(arguments)),
                  ("extra_params", .object([])),
                ])
              ),
              ("duration", .integer(max(0, (clock.now() - now).nanoseconds))),
              ("route", .string(route)),
              ("timestamp", .string(NaiveUTCTime.format(clock.wallTime(at: now), fractionDigits: 6))),
            ])
          ),
          ("simulated", .bool(true)),
        ])
      ),
    ])
  }

  /// One result row in the fields OpenBB's FMP-backed quote returns. yfinance-backed rows have
  /// no `change`, `change_percent` or `last_timestamp` there, so they have none here either.
  private func row(for tick: SimulatedMarket.Tick, backend: String) -> JSONText {
    let decimals = tick.price < 10 ? 4 : 2
    let price = tick.price.rounded(toDecimals: decimals)
    let previousClose = tick.previousClose.rounded(toDecimals: decimals)
    let change = (price - previousClose).rounded(toDecimals: decimals)
    let asOf = clock.wallTime(at: MarketInstant(nanoseconds: tick.step * market.stepInterval.nanoseconds))
    var fields: [(String, JSONText)] = [
      ("symbol", .string(tick.symbol.text)),
      ("name", .string("\(tick.symbol.text) (simulated)")),
      ("exchange", .string("SIM")),
      ("last_price", .number(price)),
    ]
    if backend != "yfinance" { fields.append(("last_timestamp", .string(NaiveUTCTime.format(asOf, fractionDigits: 0)))) }
    fields += [
      ("open", .number(tick.open.rounded(toDecimals: decimals))),
      ("high", .number(tick.high.rounded(toDecimals: decimals))),
      ("low", .number(tick.low.rounded(toDecimals: decimals))),
      ("volume", .integer(tick.volume)),
      ("prev_close", .number(previousClose)),
    ]
    if backend != "yfinance" {
      fields.append(("change", .number(change)))
      // OpenBB's standard model: a fraction (0.0431 for +4.31 %).
      fields.append(("change_percent", .number((change / previousClose).rounded(toDecimals: 7))))
    }
    fields += [("currency", .string(tick.currency)), ("simulated", .bool(true))]
    return .object(fields)
  }

  /// FastAPI's request validation error: `detail` is a list of `{type, loc, msg, input}`.
  static func validationError(type: String, field: String, message: String, input: JSONText) -> Reply {
    .json(
      .object([
        (
          "detail",
          .array([
            .object([
              ("type", .string(type)),
              ("loc", .array([.string("query"), .string(field)])),
              ("msg", .string(message)),
              ("input", input),
            ])
          ])
        )
      ]), status: 422)
  }

  /// A UUID-shaped identifier, as OpenBB gives every OBBject.
  private static func identifier(_ random: inout SeededRandom) -> String {
    let high = String(random.next(), radix: 16)
    let low = String(random.next(), radix: 16)
    let hex = Array(String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low)
    return [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { String($0) }.joined(separator: "-")
  }

  /// The path and the decoded query items of a request target.
  static func split(_ uri: String) -> (path: Substring, query: [String: String]) {
    guard let mark = uri.firstIndex(of: "?") else { return (uri[...], [:]) }
    var items: [String: String] = [:]
    for pair in uri[uri.index(after: mark)...].split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = parts.first else { continue }
      items[percentDecoded(name)] = parts.count > 1 ? percentDecoded(parts[1]) : ""
    }
    return (uri[..<mark], items)
  }

  /// `%XX` and `+` decoded; a malformed escape is kept as it is.
  static func percentDecoded(_ text: Substring) -> String {
    let utf8 = Array(text.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = 0
    while index < utf8.count {
      let byte = utf8[index]
      if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
        let value = UInt8(String(decoding: utf8[index + 1...index + 2], as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        index += 3
      } else {
        bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// OpenBB's timestamps: ISO 8601 in UTC without a zone suffix (`2025-09-22T20:00:01`).
enum NaiveUTCTime {
  static func format(_ date: Date, fractionDigits: Int) -> String {
    let interval = date.timeIntervalSince1970
    let seconds = Int64(interval.rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    let (year, month, day) = UTCDays.civil(days: days)
    var text =
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    if fractionDigits > 0 {
      var scale: Int64 = 1
      for _ in 0..<fractionDigits { scale *= 10 }
      let fraction = min(scale - 1, Int64(((interval - Double(seconds)) * Double(scale)).rounded(.down)))
      text += "." + pad(max(0, fraction), fractionDigits)
    }
    return text
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
