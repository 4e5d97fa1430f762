import Foundation

/// Turns a provider's configured weight into the weight it gets now, from how it has been
/// doing: slow or failing providers get less traffic, but never none while they are usable,
/// so their health keeps being measured and they win traffic back when they recover.
///
/// ```
/// latencyFactor = 1                              if ewma ≤ referenceLatency (or unknown)
///               = referenceLatency / ewma        otherwise
/// errorFactor   = (1 − errorRate) ^ errorExponent   (errorRate in 0…1; unknown = 0)
/// effective     = base × max(minimumFraction, latencyFactor × errorFactor)
/// ```
///
/// With the defaults (250 ms, exponent 2, floor 5 %): a provider at 1 s EWMA gets a quarter
/// of its weight, one failing 50 % of calls a quarter, one doing both 1/16, and nothing goes
/// below 5 % of its base weight. A base weight of zero or less stays zero: that is the
/// operator saying "never pick this one".
public struct AdaptiveWeights: Hashable, Sendable {
  /// Latencies up to this are all "fast enough" and keep the full weight.
  public var referenceLatency: Duration
  /// How hard errors bite: 1 is proportional, 2 punishes a 50 % error rate to a quarter.
  public var errorExponent: Double
  /// The smallest share of its base weight a usable provider keeps, in (0, 1].
  public var minimumFraction: Double

  public init(referenceLatency: Duration = .milliseconds(250), errorExponent: Double = 2, minimumFraction: Double = 0.05) {
    self.referenceLatency = referenceLatency
    self.errorExponent = errorExponent
    self.minimumFraction = minimumFraction
  }

  public func effectiveWeight(base: Double, ewmaLatency: Duration?, errorRate: Double?) -> Double {
    guard base > 0, base.isFinite else { return 0 }
    var latencyFactor = 1.0
    if let ewmaLatency, ewmaLatency > referenceLatency, referenceLatency > .zero {
      latencyFactor = referenceLatency.seconds / ewmaLatency.seconds
    }
    let errorRate = min(1, max(0, errorRate ?? 0))
    let errorFactor = Foundation.pow(1 - errorRate, max(0, errorExponent))
    let floor = min(1, max(Double.leastNonzeroMagnitude, minimumFraction))
    return base * max(floor, latencyFactor * errorFactor)
  }

  public func effectiveWeight(base: Double, health: HealthStatus) -> Double {
    effectiveWeight(base: base, ewmaLatency: health.ewma, errorRate: health.errorRate)
  }
}
