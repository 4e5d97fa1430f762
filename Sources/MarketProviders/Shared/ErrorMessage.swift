import MarketCore

/// What an error text written for people says, read by its words.
///
/// Providers put the real cause in prose, often under a status that says something else:
/// OpenBB relays its backend's failure as a 400 or 500 whose `detail` carries the backend's
/// status and message, FMP's rate limit says "upgrade your plan", Finnhub answers a missing
/// token with a 429. The checks run from the most specific words to the least, so a rate
/// limit that mentions a plan stays a rate limit and a plan limit that says "unauthorized"
/// stays a plan limit.
enum ErrorMessage {
  enum Meaning: Hashable, Sendable {
    /// Too many calls in a short window; passes by itself (not the provider's fault).
    case rateLimited(retryAfter: Duration?)
    /// The daily (or monthly) allowance is spent.
    case quotaExhausted
    /// The key is missing, wrong, or cannot use this endpoint at all.
    case unauthorized
    /// The plan does not cover this data (a premium symbol, market or class): a limit of the
    /// plan, not a failure.
    case planLimit
    /// Nothing is known under the requested symbol.
    case unknownSymbol
    case timeout
    /// The upstream failed on its own side with this status.
    case upstreamFailure(status: Int)
  }

  /// The meaning of `text`, or nil when its words say nothing we can classify.
  static func meaning(of text: String) -> Meaning? {
    // Error messages are short; a long body is read no further than a message could go.
    let text = String(text.prefix(4096))
    let lowered = text.lowercased()
    func mentions(_ phrases: [String]) -> Bool { phrases.contains { lowered.contains($0) } }
    let status = embeddedStatus(in: text)
    if mentions(credentialPhrases) { return .unauthorized }
    if mentions(ratePhrases) || (lowered.contains("limit") && mentions(["exceed", "reached"])) || status == 429 {
      let namesShortWindow = mentions(shortWindowPhrases)
      let namesLongWindow = mentions(["per day", "daily", "per month", "monthly"])
      return namesLongWindow && !namesShortWindow ? .quotaExhausted : .rateLimited(retryAfter: retryHint(in: text))
    }
    if mentions(planPhrases) || status == 402 { return .planLimit }
    if mentions(["unauthorized", "unauthorised", "forbidden", "not authorized", "authentication", "credentials"])
      || status == 401 || status == 403
    {
      return .unauthorized
    }
    if mentions(unknownSymbolPhrases) || status == 404 { return .unknownSymbol }
    if mentions(["timed out", "timeout", "time out"]) || status == 408 { return .timeout }
    if let status, (500...599).contains(status) { return .upstreamFailure(status: status) }
    for (phrase, status) in serverErrorPhrases where lowered.contains(phrase) {
      return .upstreamFailure(status: status)
    }
    return nil
  }

  /// Words only a credential problem uses: a missing, unknown or invalid key or password,
  /// and FMP's legacy endpoints, which no key issued since September 2025 may call.
  private static let credentialPhrases = [
    "invalid api key", "api key is invalid", "api key was not provided", "unknown api key", "apikey is invalid",
    "api key missing", "missing api key", "missing credential", "invalid credentials", "incorrect email or password",
    "check your credentials", "credentials and subscription", "invalid crumb", "sign up for a free",
    "claim your free api key", "invalid token", "legacy endpoint",
  ]

  private static let ratePhrases = [
    "rate limit", "rate-limit", "ratelimit", "too many requests", "limit reach", "maximum requests", "requests per minute",
    "calls per minute", "call frequency", "api limit", "throttl", "hits limit", "slow down", "sparingly", "burst pattern",
  ]

  private static let shortWindowPhrases = ["per minute", "per second", "sparingly", "frequency", "/min"]

  private static let planPhrases = [
    "not entitled", "upgrade your plan", "upgrade your subscription", "premium", "subscription", "exclusive endpoint",
    "don't have access", "do not have access", "not included in your plan", "not supported",
  ]

  private static let unknownSymbolPhrases = [
    "no results found", "not found", "no data", "unknown symbol", "invalid symbol", "no such symbol", "delisted",
    "could not get data", "invalid api call", "doesn't exist", "does not exist",
  ]

  private static let serverErrorPhrases = [
    ("internal server error", 500), ("bad gateway", 502), ("service unavailable", 503), ("gateway timeout", 504),
  ]

  // MARK: Numbers inside the text

  /// An HTTP error status (400–599) the text quotes from someone else: `Status code: 429`,
  /// `HTTP 502`, `429 Client Error`, aiohttp's `429, message='Too Many Requests'`. A number
  /// without such context (a price, a count) is not taken for a status.
  static func embeddedStatus(in text: String) -> Int? {
    let bytes = Array(text.lowercased().utf8.prefix(4096))
    var index = 0
    while index < bytes.count {
      guard bytes[index].isDigit else {
        index += 1
        continue
      }
      var end = index
      while end < bytes.count, bytes[end].isDigit { end += 1 }
      defer { index = end }
      let standsAlone =
        end - index == 3 && (index == 0 || !(bytes[index - 1].isDigit || bytes[index - 1] == UInt8(ascii: ".")))
        && (end == bytes.count || bytes[end] != UInt8(ascii: ".") || end + 1 == bytes.count || !bytes[end + 1].isDigit)
      guard standsAlone, let value = Int(String(decoding: bytes[index..<end], as: UTF8.self)), (400...599).contains(value)
      else { continue }
      let before = String(decoding: bytes[max(0, index - 16)..<index], as: UTF8.self)
      let after = String(decoding: bytes[end..<min(bytes.count, end + 24)], as: UTF8.self)
      if ["status", "http", "code", "error"].contains(where: before.contains)
        || statusFollowers.contains(where: { after.hasPrefix($0) || after.hasPrefix(" " + $0) })
      {
        return value
      }
    }
    return nil
  }

  private static let statusFollowers = [
    "client error", "server error", ", message=", "too many requests", "unauthorized", "forbidden", "not found",
    "bad gateway", "service unavailable", "internal server error", "gateway timeout", "payment required",
  ]

  /// A wait the text asks for: `retry after 30 seconds`, `try again in 2 minutes`,
  /// `Retry-After: 60`, `please wait 10s`. A bare number counts as seconds only after
  /// "retry after"; elsewhere it needs a unit. Clamped like a `Retry-After` header.
  static func retryHint(in text: String) -> Duration? {
    let lowered = Array(text.lowercased().utf8.prefix(4096))
    for (keyword, bareNumberIsSeconds) in retryKeywords {
      let pattern = Array(keyword.utf8)
      var start = 0
      while let found = firstIndex(of: pattern, in: lowered, from: start) {
        start = found + 1
        var cursor = found + pattern.count
        while cursor < lowered.count, [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "=")].contains(lowered[cursor]) {
          cursor += 1
        }
        let numberStart = cursor
        while cursor < lowered.count, lowered[cursor].isDigit || lowered[cursor] == UInt8(ascii: ".") { cursor += 1 }
        guard cursor > numberStart, cursor - numberStart <= 12,
          let amount = NumberParsing.decimal(String(decoding: lowered[numberStart..<cursor], as: UTF8.self))
        else { continue }
        while cursor < lowered.count, lowered[cursor] == UInt8(ascii: " ") { cursor += 1 }
        let unitStart = cursor
        while cursor < lowered.count, lowered[cursor].isLetter { cursor += 1 }
        let unit = String(decoding: lowered[unitStart..<cursor], as: UTF8.self)
        let seconds: Double
        if let scale = unitSeconds[unit] {
          seconds = amount * scale
        } else if unit.isEmpty && bareNumberIsSeconds {
          seconds = amount
        } else {
          continue
        }
        return min(.milliseconds(Int64(min(seconds, RetryAfter.maximumDelay.seconds) * 1000)), RetryAfter.maximumDelay)
      }
    }
    return nil
  }

  private static let retryKeywords: [(String, Bool)] = [
    ("retry-after", true), ("retry after", true), ("try again in", false), ("try again after", false),
    ("retry in", false), ("wait", false), ("resets in", false),
  ]

  private static let unitSeconds: [String: Double] = [
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
  ]

  private static func firstIndex(of pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
    guard !pattern.isEmpty, bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
    for index in start...(bytes.count - pattern.count) where bytes[index..<index + pattern.count].elementsEqual(pattern) {
      return index
    }
    return nil
  }
}

extension UInt8 {
  fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
  fileprivate var isLetter: Bool {
    (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
  }
}

extension ErrorMessage.Meaning {
  /// The error this meaning is for `symbol`: unsupported for a plan limit, unknown for an
  /// unknown symbol, and the whole request's error otherwise.
  func error(for symbol: Symbol) -> ProviderError {
    switch self {
    case .planLimit: .unsupportedSymbol(symbol)
    case .unknownSymbol: .unknownSymbol(symbol)
    default: requestError ?? .unknownSymbol(symbol)
    }
  }

  /// The error for the whole request; nil for the meanings that answer per symbol (plan
  /// limits, unknown symbols), which ``error(for:)`` gives for each symbol instead.
  var requestError: ProviderError? {
    switch self {
    case .planLimit, .unknownSymbol: nil
    case .rateLimited(let retryAfter): .rateLimited(retryAfter: retryAfter)
    case .quotaExhausted: .quotaExhausted
    case .unauthorized: .unauthorized
    case .timeout: .timeout
    case .upstreamFailure(let status): .upstreamStatus(status)
    }
  }

  /// The same meaning with a retry hint from a `Retry-After` header, which beats the text's.
  func preferringRetryAfter(_ header: Duration?) -> Self {
    guard let header, case .rateLimited = self else { return self }
    return .rateLimited(retryAfter: header)
  }
}
