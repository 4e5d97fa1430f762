import Foundation
import MarketCore

/// Steps every adapter's parser shares: generic status mapping, decoding JSON with a size
/// bound, and the short excerpt a `malformedBody` error carries.
enum ResponseTriage {
  /// Quote responses are a few kilobytes; anything this large is not one, and refusing it
  /// bounds the parser's memory and time.
  static let maximumBodyBytes = 2 << 20
  /// Characters of body an excerpt shows.
  static let excerptLength = 80

  /// The error a non-2xx status means when the body says nothing more specific.
  static func statusError(for response: HTTPResponseSnapshot) -> ProviderError? {
    switch response.status {
    case 200..<300: nil
    case 401, 403: .unauthorized
    case 429: .rateLimited(retryAfter: retryAfter(in: response))
    default: .upstreamStatus(response.status)
    }
  }

  static func retryAfter(in response: HTTPResponseSnapshot) -> Duration? {
    response.header("Retry-After").flatMap { RetryAfter.parse($0, now: response.receivedAt) }
  }

  /// History answers carry years of bars (Alpha Vantage's full daily series is over a
  /// megabyte); the transport's own limit (4 MiB by default) is reached before this one.
  static let maximumHistoryBodyBytes = 8 << 20

  /// The body as JSON, or `malformedBody` (empty, larger than `limit`, or not JSON).
  static func json(
    _ response: HTTPResponseSnapshot, limit: Int = maximumBodyBytes, redacting secrets: [Secret]
  ) throws(ProviderError) -> JSONValue {
    guard !response.body.isEmpty else { throw .malformedBody(excerpt: "empty body") }
    guard response.body.count <= limit else {
      throw .malformedBody(excerpt: "body of \(response.body.count) bytes is too large")
    }
    do {
      return try JSONValue(parsing: response.body)
    } catch {
      throw malformed(response.body, redacting: secrets)
    }
  }

  /// An error message read by its words (``ErrorMessage``): throws the request's error, or
  /// returns the per-symbol answer (unknown, outside the plan) for every requested symbol;
  /// nil when the words say nothing we can classify. A `Retry-After` header beats a wait the
  /// text names.
  static func classify(
    _ message: String, _ response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>]? {
    guard let meaning = Self.meaning(of: message, response) else { return nil }
    if let error = meaning.requestError { throw error }
    return response.failingEverySymbol { meaning.error(for: $0) }
  }

  /// ``classify(_:_:)`` for a body that is not JSON (see ``meaningOfText(_:)``).
  static func classifyText(
    of response: HTTPResponseSnapshot
  ) throws(ProviderError) -> [Symbol: Result<NormalizedQuote, ProviderError>]? {
    guard let meaning = Self.meaningOfText(response) else { return nil }
    if let error = meaning.requestError { throw error }
    return response.failingEverySymbol { meaning.error(for: $0) }
  }

  /// What an error message's words mean (``ErrorMessage``), a `Retry-After` header beating a
  /// wait the text names; nil when the words say nothing we can classify.
  static func meaning(of message: String, _ response: HTTPResponseSnapshot) -> ErrorMessage.Meaning? {
    ErrorMessage.meaning(of: message)?.preferringRetryAfter(retryAfter(in: response))
  }

  /// What a body that is not JSON means. An HTML page (an edge's or a CDN's error page) is
  /// written for browsers and its words ("Not Found") say nothing about the symbol, so only a
  /// rate limit or a spent quota is read from one; plain text is read whole.
  static func meaningOfText(_ response: HTTPResponseSnapshot) -> ErrorMessage.Meaning? {
    let text = self.text(of: response)
    guard let meaning = Self.meaning(of: text, response) else { return nil }
    guard looksLikeHTML(text) else { return meaning }
    switch meaning {
    case .rateLimited, .quotaExhausted: return meaning
    default: return nil
    }
  }

  /// For a batched data class (profiles): the per-symbol error a failed answer means for
  /// `symbol` (unknown, outside the plan), or, when it is about the whole request (a limit,
  /// the key, a status with no words), that error thrown.
  static func perSymbolFailure(
    _ meaning: ErrorMessage.Meaning?, _ response: HTTPResponseSnapshot, about symbol: Symbol, redacting secrets: [Secret]
  ) throws(ProviderError) -> ProviderError {
    if let error = meaning?.requestError { throw error }
    if let meaning { return meaning.error(for: symbol) }
    throw statusError(for: response) ?? malformed(response.body, redacting: secrets)
  }

  /// The error of a failed answer about one symbol (a history request, a profile): what its
  /// words mean for that symbol, else what its status says, else a malformed body.
  static func failure(
    _ meaning: ErrorMessage.Meaning?, _ response: HTTPResponseSnapshot, about symbol: Symbol, redacting secrets: [Secret]
  ) -> ProviderError {
    if let meaning { return meaning.error(for: symbol) }
    return statusError(for: response) ?? malformed(response.body, redacting: secrets)
  }

  /// HTML or XML (S3's error documents): anything that opens with a tag.
  static func looksLikeHTML(_ text: String) -> Bool {
    Substring(text).trimmingWhitespace().hasPrefix("<")
  }

  /// The start of a body as text, for reading an error message that is not JSON (a proxy's
  /// HTML page, a plain-text rate limit). Only classified, never shown, so not redacted.
  static func text(of response: HTTPResponseSnapshot) -> String {
    String(decoding: response.body.prefix(4096), as: UTF8.self)
  }

  static func malformed(_ body: [UInt8], redacting secrets: [Secret]) -> ProviderError {
    .malformedBody(excerpt: excerpt(of: body, redacting: secrets))
  }

  /// The start of a body, safe to log: printable ASCII only, at most ``excerptLength``
  /// characters, with the adapter's own credentials and anything written as `apikey=…`,
  /// `token=…`, `crumb=…` or `password=…` replaced by `<redacted>`.
  static func excerpt(of body: [UInt8], redacting secrets: [Secret]) -> String {
    guard !body.isEmpty else { return "empty body" }
    // Scrub a window well beyond the excerpt so a credential cut by the window edge cannot
    // surface as a prefix inside the part that is shown.
    var text = String(decoding: body.prefix(1024), as: UTF8.self)
    let values = secrets.map(\.revealedValue).filter { !$0.isEmpty }
    text = HTTPRequestSpec.scrubbing(
      text, of: values + values.map { HTTPRequestSpec.percentEncode($0, allowing: HTTPRequestSpec.queryAllowed) })
    text = ProviderError.sanitizedExcerpt(text, limit: 1024)
    text = scrubbingCredentialParameters(text)
    return ProviderError.sanitizedExcerpt(text, limit: excerptLength)
  }

  private static let credentialParameterNames = ["apikey=", "api_key=", "token=", "crumb=", "password=", "key="]

  /// Replaces the value after each `name=` (up to `&`, a space or a quote) with the placeholder.
  static func scrubbingCredentialParameters(_ text: String) -> String {
    var bytes = Array(text.utf8)
    let lowered = Array(text.lowercased().utf8)
    // Only ASCII reaches here (sanitized), so lower-casing keeps byte offsets aligned.
    guard bytes.count == lowered.count else { return text }
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if let name = credentialParameterNames.first(where: { lowered[index...].starts(with: $0.utf8) }) {
        output.append(contentsOf: bytes[index..<index + name.utf8.count])
        index += name.utf8.count
        let start = index
        let stoppers: Set<UInt8> = Set("& \"',;<>)]}".utf8)
        while index < bytes.count, !stoppers.contains(bytes[index]) { index += 1 }
        if index > start { output.append(contentsOf: Secret.placeholder.utf8) }
      } else {
        output.append(bytes[index])
        index += 1
      }
    }
    bytes = output
    return String(decoding: bytes, as: UTF8.self)
  }
}
