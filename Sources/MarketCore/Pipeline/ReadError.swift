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

  /// A short, stable class for metrics labels and API error bodies.
  public var errorClass: String {
    switch self {
    case .invalidSymbol: "invalid_symbol"
    case .unknownSymbol: "unknown_symbol"
    case .noProviderAvailable: "no_provider_available"
    case .allProvidersFailed: "upstream_failed"
    case .cancelled: "cancelled"
    }
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
