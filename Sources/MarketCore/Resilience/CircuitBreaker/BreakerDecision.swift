/// The right to make one call, issued by ``CircuitBreaker/acquirePermission(at:)`` and
/// handed back with the call's outcome to ``CircuitBreaker/record(_:permit:duration:at:)``.
///
/// It remembers the breaker generation it was issued in: every state change (and every
/// reset) starts a new generation, and an outcome from an older one never lands in the
/// current window. A call let through while closed that fails after the breaker opened and
/// went half-open must not count as a failed probe.
public struct CallPermit: Hashable, Sendable {
  public let generation: UInt64
  public let id: UInt64
  /// The state the call was let through in.
  public let state: BreakerState

  /// Whether this call is one of the half-open probes.
  public var isProbe: Bool { state == .halfOpen }
}

/// Whether a call may go to the provider now.
public enum BreakerDecision: Hashable, Sendable {
  case permitted(CallPermit)
  /// `retryAfter` is when an open breaker lets a probe through; nil when unknown (half-open
  /// with every probe slot taken) or never by itself (forced open).
  case rejected(retryAfter: Duration?, state: BreakerState)

  public var permit: CallPermit? {
    if case .permitted(let permit) = self { return permit }
    return nil
  }

  /// Why the router skips the provider, or nil when the call is permitted.
  public var skipReason: ProviderSkip.Reason? {
    switch self {
    case .permitted: nil
    case .rejected(_, .forcedOpen): .forcedOpen
    case .rejected(let retryAfter, _): .circuitOpen(retryIn: retryAfter)
    }
  }
}
