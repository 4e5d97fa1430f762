/// Which provider errors count against a circuit breaker.
///
/// Like Resilience4j's `recordExceptions` / `ignoreExceptions`: an error is *ignored* (neither
/// success nor failure, and a half-open probe slot is handed back), *recorded as a failure*,
/// or, when it is neither, *recorded as a success*: the provider answered, just not with a
/// quote (an HTTP 404 for a delisted symbol, say). Classes are ``ProviderError/errorClass``
/// strings so the configuration file can name them.
public struct FailureClassification: Hashable, Sendable {
  /// What one error means for the breaker's window.
  public enum Verdict: Hashable, Sendable {
    case failure
    case success
    case ignored
  }

  /// Error classes that are never failures whatever the configuration says: a rate limit is
  /// the provider protecting itself (the limiter backs off instead), and a cancelled call
  /// says nothing about the provider.
  public static let neverFailures: Set<String> = ["rate_limited", "cancelled"]

  /// Classes recorded as failures; `nil` means "whatever ``ProviderError/isProviderFault``
  /// says".
  public var failureClasses: Set<String>?
  /// Classes that do not count at all. Wins over ``failureClasses``.
  public var ignoredClasses: Set<String>

  public init(failureClasses: Set<String>? = nil, ignoredClasses: Set<String> = []) {
    self.failureClasses = failureClasses
    self.ignoredClasses = ignoredClasses
  }

  /// Provider faults are failures; answers about the symbol, rate limits, quota and
  /// cancellation are ignored; anything else (say an HTTP 404) is the provider answering.
  public static let `default` = FailureClassification(
    failureClasses: nil,
    ignoredClasses: ["unknown_symbol", "unsupported_symbol", "rate_limited", "quota_exhausted", "cancelled"]
  )

  public func verdict(for error: ProviderError) -> Verdict {
    let errorClass = error.errorClass
    if Self.neverFailures.contains(errorClass) || ignoredClasses.contains(errorClass) { return .ignored }
    let isFailure = failureClasses.map { $0.contains(errorClass) } ?? error.isProviderFault
    return isFailure ? .failure : .success
  }

  public func verdict(for outcome: CallOutcome) -> Verdict {
    switch outcome {
    case .success: .success
    case .failure(let error): verdict(for: error)
    case .cancelled: .ignored
    }
  }
}
