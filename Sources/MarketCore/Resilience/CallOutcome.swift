/// How one upstream call ended, as the breaker, the health tracker and the fan-out drivers
/// see it. A cancelled call says nothing about the provider, so it is its own case rather
/// than a failure.
public enum CallOutcome: Hashable, Sendable {
  case success
  case failure(ProviderError)
  /// We stopped waiting (a fan-out loser, a caller that went away): not the provider's fault.
  case cancelled

}
