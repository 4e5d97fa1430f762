/// A credential (API key, token, crumb, cookie, password) that must never be printed.
///
/// Its description, debug description and mirror all read `<redacted>`, so interpolating an
/// adapter or a request into a log line cannot leak it; only ``revealedValue`` gives the text,
/// and only request building calls it.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// What every printed form of a secret shows instead of its value.
  public static let placeholder = "<redacted>"

  private let value: String

  public init(_ value: String) { self.value = value }

  /// The credential itself, for placing into a request and for scrubbing it out of excerpts.
  public var revealedValue: String { value }

  public var description: String { Self.placeholder }
  public var debugDescription: String { Self.placeholder }
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
