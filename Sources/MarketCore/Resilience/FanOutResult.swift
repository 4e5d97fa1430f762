/// What a fan-out did: the winning value if any, and every request it sent with how that
/// request ended, so the caller can feed breakers, health and limits.
public struct FanOutResult<Candidate: Sendable, Value: Sendable>: Sendable {
  public struct Winner: Sendable {
    /// Position in the candidates passed in.
    public var index: Int
    public var candidate: Candidate
    public var value: Value
  }

  public struct Attempt: Sendable {
    public enum Kind: Hashable, Sendable {
      /// The first request.
      case primary
      /// Sent alongside the primary (first-wins).
      case concurrent
      /// Sent because the earlier ones had not answered within the hedge delay.
      case hedge
      /// Sent because every earlier one had failed.
      case failover
    }

    /// Position in the candidates passed in.
    public var index: Int
    public var candidate: Candidate
    public var kind: Kind
    /// How the request ended. A request we cancelled because another won (or because the
    /// caller went away) is ``CallOutcome/cancelled``, never a failure. A loser that
    /// succeeded anyway is a success; its value is dropped.
    public var outcome: CallOutcome
    /// From sending to completion, on the injected clock.
    public var duration: Duration
  }

  /// The first success; nil when every request failed or was cancelled.
  public var winner: Winner?
  /// One entry per request sent, in the order sent.
  public var attempts: [Attempt]
  /// Hedges that were due but not sent, because the budget had no token left.
  public var refusedHedges = 0

  public var requestsSent: Int { attempts.count }
  public var value: Value? { winner?.value }

  /// The failures, for `ReadError.allProvidersFailed`.
  public var failures: [(candidate: Candidate, error: ProviderError)] {
    attempts.compactMap { attempt in
      if case .failure(let error) = attempt.outcome { return (attempt.candidate, error) }
      return nil
    }
  }
}
