import MarketCore
import Testing

/// The resilience state machines and fan-out drivers. One parent suite so
/// `swift test --filter Resilience` runs exactly these.
@Suite enum ResilienceTests {}

/// An instant `seconds` after the origin.
func instant(_ seconds: Double) -> MarketInstant {
  .origin + .nanoseconds(Int64((seconds * 1e9).rounded()))
}
