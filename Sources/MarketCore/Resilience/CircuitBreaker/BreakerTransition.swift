/// One change of a breaker's state, with why it happened: what the events pane, the logs and
/// the API's live stream show.
public struct BreakerTransition: Hashable, Sendable, CustomStringConvertible {
  /// The rates a window verdict was based on.
  public struct Rates: Hashable, Sendable {
    /// Percent of the calls that failed.
    public var failureRate: Double
    /// Percent of the calls slower than the slow-call threshold.
    public var slowCallRate: Double
    public var calls: Int
    public var failureRateThreshold: Double
    public var slowCallRateThreshold: Double

    public var failureRateExceeded: Bool { failureRate >= failureRateThreshold }
    public var slowCallRateExceeded: Bool { slowCallRate >= slowCallRateThreshold }
    public var exceeded: Bool { failureRateExceeded || slowCallRateExceeded }

    /// The exceeded rates, e.g. `failure rate 60% over 20 calls (threshold 50%)`.
    var exceededText: String {
      var parts: [String] = []
      if failureRateExceeded {
        parts.append(
          "failure rate \(failureRate.percentText) over \(calls) calls (threshold \(failureRateThreshold.percentText))")
      }
      if slowCallRateExceeded {
        parts.append(
          "slow-call rate \(slowCallRate.percentText) over \(calls) calls (threshold \(slowCallRateThreshold.percentText))")
      }
      return parts.joined(separator: "; ")
    }
  }

  /// What an operator did.
  public enum OperatorAction: String, Hashable, Sendable {
    case trip = "tripped"
    case reset = "reset"
    case disable = "disabled"
    case enable = "enabled"
    case metricsOnly = "switched to metrics-only"
  }

  public enum Cause: Hashable, Sendable {
    /// Closed → open: the window's rates reached a threshold.
    case thresholdsExceeded(Rates)
    /// Open → half-open: the wait is over.
    case waitElapsed(Duration)
    /// Half-open → closed: the probes' rates stayed below both thresholds.
    case probesPassed(Rates)
    /// Half-open → open: the probes' rates reached a threshold.
    case probesFailed(Rates)
    /// Half-open → open: the probes did not all report within the maximum wait.
    case halfOpenTimedOut(Duration)
    case `operator`(OperatorAction, note: String?)
  }

  public var from: BreakerState
  public var to: BreakerState
  public var at: MarketInstant
  public var cause: Cause

  public init(from: BreakerState, to: BreakerState, at: MarketInstant, cause: Cause) {
    self.from = from
    self.to = to
    self.at = at
    self.cause = cause
  }

  /// A sentence for humans, e.g. `failure rate 60% over 20 calls (threshold 50%)`.
  public var reason: String {
    switch cause {
    case .thresholdsExceeded(let rates): rates.exceededText
    case .waitElapsed(let wait): "wait of \(wait.brief) elapsed"
    case .probesPassed(let rates):
      "\(rates.calls) probes passed: failure rate \(rates.failureRate.percentText), "
        + "slow-call rate \(rates.slowCallRate.percentText)"
    case .probesFailed(let rates): "probes failed: \(rates.exceededText)"
    case .halfOpenTimedOut(let wait): "probes gave no verdict within \(wait.brief)"
    case .operator(let action, let note):
      "\(action.rawValue) by operator" + (note.map { ": \($0)" } ?? "")
    }
  }

  public var description: String { "\(from.rawValue) → \(to.rawValue): \(reason)" }
}
