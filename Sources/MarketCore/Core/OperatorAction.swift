/// Something an operator (or an agent through the control API) changed in the core. Local
/// actions are handed to ``MarketDataCore/onOperatorAction(_:)`` listeners, which is how
/// a cluster bus tells other instances; actions those instances send back arrive through
/// ``MarketDataCore/apply(_:fromInstance:)``, which never re-announces them.
public enum OperatorAction: Hashable, Sendable {
  case trip(ProviderID)
  case reset(ProviderID)
  case setEnabled(ProviderID, Bool)
  /// A watchlist as it now is. Sent whole rather than as the edit that made it: a toggle
  /// applied to a list that differs elsewhere would flip the other way.
  case setWatchlist(ImmortalID, Watchlist)
  case invalidate(InvalidationScope)
}

/// Who asked for an operator action.
enum ActionOrigin: Hashable, Sendable {
  case local
  /// Another instance sharing this one's cluster channel.
  case instance(String)
  /// Operator state read from a shared store (such as Redis), last set by that instance.
  case stored(instance: String, source: String)
}
