import Foundation
import MarketCore

/// A window drawn over the panes that takes the keys while open.
public enum Overlay: Hashable, Sendable {
  case help
  case watchlistEditor(WatchlistEditor)
  case confirmClearCache
}

/// The state of the watchlist editor overlay.
public struct WatchlistEditor: Hashable, Sendable {
  public struct Message: Hashable, Sendable {
    public var text: String
    public var isError: Bool
  }

  public var immortal: ImmortalID
  /// Index into the watchlist's entries.
  public var selection: Int
  /// The symbol being typed, or nil when not adding.
  public var input: String?
  public var message: Message?

  public init(immortal: ImmortalID, selection: Int = 0, input: String? = nil, message: Message? = nil) {
    self.immortal = immortal
    self.selection = selection
    self.input = input
    self.message = message
  }
}

/// A one-line message in the footer: confirmations and refusals.
public struct StatusMessage: Hashable, Sendable {
  public var text: String
  public var isError: Bool
  public var expires: Date

  public init(text: String, isError: Bool, expires: Date) {
    self.text = text
    self.isError = isError
    self.expires = expires
  }
}
