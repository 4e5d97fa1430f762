/// Why the core could not serve a read (a quote, a series, a profile), in terms a caller (an
/// agent, an operator) can act on.
public enum ReadError: Error, Hashable, Sendable, CustomStringConvertible {
  case invalidSymbol(SymbolError)
  /// Every provider that could serve the symbol said it does not exist.
  case unknownSymbol(Symbol)
  /// No provider could even be asked; each entry says why it was skipped.
  case noProviderAvailable(Symbol, skipped: [ProviderSkip])
  /// Providers were asked and every one failed.
  case allProvidersFailed(Symbol, failures: [ProviderFailure])
  case cancelled

  public var description: String {
    switch self {
    case .invalidSymbol(let error): "invalid symbol: \(error)"
    case .unknownSymbol(let symbol): "unknown symbol \(symbol)"
    case .noProviderAvailable(let symbol, let skipped):
      "no provider available for \(symbol)"
        + (skipped.isEmpty ? " (none configured)" : ": " + skipped.map(\.description).joined(separator: "; "))
    case .allProvidersFailed(let symbol, let failures):
      "every provider failed for \(symbol): " + failures.map(\.description).joined(separator: "; ")
    case .cancelled: "cancelled"
    }
  }

  /// A short, stable class for metrics labels and API error bodies. `rate_limited` when
  /// nothing but rate limits and quotas stood in the way (see ``rateLimit``): the caller
  /// should wait, not look for another cause.
  public var errorClass: String {
    switch self {
    case .invalidSymbol: "invalid_symbol"
    case .unknownSymbol: "unknown_symbol"
    case .noProviderAvailable: rateLimit == nil ? "no_provider_available" : "rate_limited"
    case .allProvidersFailed: rateLimit == nil ? "upstream_failed" : "rate_limited"
    case .cancelled: "cancelled"
    }
  }

  /// When every provider that serves the symbol was held back by its own rate limit or quota
  /// (the instance's limiter, the fleet's budget, or the provider's answer): how long until
  /// the first may be asked again. nil when anything else stood in the way (a breaker, an
  /// operator, another failure).
  public var rateLimit: RateLimitWait? {
    var reasons: [ProviderSkip.Reason] = []
    switch self {
    case .noProviderAvailable(_, let skipped):
      // A provider that does not serve the symbol was never a way to it.
      reasons = skipped.map(\.reason).filter { $0 != .cannotServe }
    case .allProvidersFailed(_, let failures):
      for failure in failures {
        switch failure.error {
        case .rateLimited(let retryAfter): reasons.append(.rateLimited(retryIn: retryAfter))
        case .quotaExhausted: reasons.append(.quotaExhausted)
        case .notAdmitted(let reason): reasons.append(reason)
        default: return nil
        }
      }
    case .invalidSymbol, .unknownSymbol, .cancelled:
      return nil
    }
    guard !reasons.isEmpty else { return nil }
    var earliest: Duration?
    var known = true
    for reason in reasons {
      switch reason {
      case .rateLimited(let retryIn?): earliest = min(earliest ?? retryIn, retryIn)
      case .rateLimited(nil): known = false
      case .quotaExhausted: break
      default: return nil
      }
    }
    // A provider whose wait is unknown may be back at any moment: no promise then.
    return RateLimitWait(retryAfter: known ? earliest : nil)
  }
}

/// How long a read held back by rate limits must wait; see ``ReadError/rateLimit``.
public struct RateLimitWait: Hashable, Sendable {
  /// The earliest a provider may be asked again; nil when no provider said (a quota spent
  /// for the day, a 429 without `Retry-After`).
  public var retryAfter: Duration?

  public init(retryAfter: Duration?) {
    self.retryAfter = retryAfter
  }
}

/// A provider the router passed over, and why.
public struct ProviderSkip: Hashable, Sendable, CustomStringConvertible {
  public enum Reason: Hashable, Sendable, CustomStringConvertible {
    case cannotServe
    case disabled
    case circuitOpen(retryIn: Duration?)
    case forcedOpen
    case rateLimited(retryIn: Duration?)
    case quotaExhausted
    case bulkheadFull(limit: Int)

    public var description: String {
      switch self {
      case .cannotServe: "does not serve this symbol"
      case .disabled: "disabled by the operator"
      case .circuitOpen(let retryIn):
        if let retryIn { "circuit open, next probe in \(Int(retryIn.seconds.rounded(.up))) s" } else { "circuit open" }
      case .forcedOpen: "tripped by the operator"
      case .rateLimited(let retryIn):
        if let retryIn { "rate limited for \(Int(retryIn.seconds.rounded(.up))) s" } else { "rate limited" }
      case .quotaExhausted: "daily quota spent"
      case .bulkheadFull(let limit): "all \(limit) concurrent slots busy"
      }
    }
  }

  public var provider: ProviderID
  public var reason: Reason

  public init(provider: ProviderID, reason: Reason) {
    self.provider = provider
    self.reason = reason
  }

  public var description: String { "\(provider) \(reason)" }
}

/// A provider that was asked and failed.
public struct ProviderFailure: Hashable, Sendable, CustomStringConvertible {
  public var provider: ProviderID
  public var error: ProviderError

  public init(provider: ProviderID, error: ProviderError) {
    self.provider = provider
    self.error = error
  }

  /// `provider: class: words`: the stable class for scripts and agents, the words for people.
  public var description: String { "\(provider): \(error.errorClass): \(error)" }
}
