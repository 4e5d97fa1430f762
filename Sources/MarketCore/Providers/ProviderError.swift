/// Everything that can go wrong when asking one provider, across all adapters.
///
/// Each case says whether it is the provider's fault (and so counts against its circuit
/// breaker): an unknown symbol is not, a timeout or a garbled body is.
public enum ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownSymbol(Symbol)
  case unsupportedSymbol(Symbol)
  case unauthorized
  case rateLimited(retryAfter: Duration?)
  case quotaExhausted
  /// `excerpt` is short and already sanitized: printable characters only, no secrets.
  case malformedBody(excerpt: String)
  /// The body parsed, but what it says cannot be right (a non-positive price, a time in the
  /// future, bars out of order): the provider answered, wrongly. `reason` is sanitized.
  case badData(reason: String)
  case upstreamStatus(Int)
  case timeout
  case transport(String)
  case cancelled
  /// The core did not send the call: a breaker, limit or operator switch held it back. Never
  /// the provider's fault, never recorded against it.
  case notAdmitted(ProviderSkip.Reason)

  /// The short, stable class name used in metrics labels and error bodies.
  public var errorClass: String {
    switch self {
    case .unknownSymbol: "unknown_symbol"
    case .unsupportedSymbol: "unsupported_symbol"
    case .unauthorized: "unauthorized"
    case .rateLimited: "rate_limited"
    case .quotaExhausted: "quota_exhausted"
    case .malformedBody: "malformed_body"
    case .badData: "bad_data"
    case .upstreamStatus: "upstream_status"
    case .timeout: "timeout"
    case .transport: "transport"
    case .cancelled: "cancelled"
    case .notAdmitted: "not_admitted"
    }
  }

  /// Whether the default breaker policy counts this as the provider failing.
  public var isProviderFault: Bool {
    switch self {
    case .unknownSymbol, .unsupportedSymbol, .cancelled, .rateLimited, .quotaExhausted, .notAdmitted: false
    case .unauthorized, .malformedBody, .badData, .timeout, .transport: true
    case .upstreamStatus(let status): status >= 500 || status == 408
    }
  }

  public var description: String {
    switch self {
    case .unknownSymbol(let symbol): "unknown symbol \(symbol)"
    case .unsupportedSymbol(let symbol): "\(symbol) is not served by this provider"
    case .unauthorized: "unauthorized (check the API key)"
    case .rateLimited(let retryAfter):
      if let retryAfter { "rate limited, retry after \(Int(retryAfter.seconds.rounded(.up))) s" } else { "rate limited" }
    case .quotaExhausted: "quota exhausted"
    case .malformedBody(let excerpt): "malformed body: \(excerpt)"
    case .badData(let reason): "impossible data: \(reason)"
    case .upstreamStatus(let status): "upstream returned HTTP \(status)"
    case .timeout: "timed out"
    case .transport(let reason): "transport error: \(reason)"
    case .cancelled: "cancelled"
    case .notAdmitted(let reason): "not asked: \(reason)"
    }
  }

  /// Normalises any error thrown by a provider into the taxonomy.
  public static func from(_ error: any Error) -> ProviderError {
    if let error = error as? ProviderError { return error }
    if error is CancellationError { return .cancelled }
    return .transport(sanitizedExcerpt(String(describing: error)))
  }

  /// Printable ASCII only, at most `limit` characters: safe to show and to log.
  public static func sanitizedExcerpt(_ text: some StringProtocol, limit: Int = 80) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      if result.count >= limit {
        result += "…"
        break
      }
      if scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7F {
        result.unicodeScalars.append(scalar)
      } else if scalar == "\n" || scalar == "\r" || scalar == "\t" {
        result += " "
      } else {
        result += "?"
      }
    }
    return result
  }
}
