/// A quote as the core hands it out: the value plus how old it is and where it was found.
public struct ServedQuote: Hashable, Sendable {
  /// Where this answer came from on the read path.
  public enum Origin: String, Hashable, Sendable, Codable {
    /// The in-process L1 cache.
    case memory
    /// A provider, just now.
    case upstream
    /// A shared tier (Redis) or the persistent tier (SQLite).
    case sharedTier
    /// The last value ever seen, served because no provider could answer.
    case lastKnown
  }

  public var quote: Quote
  /// Past its TTL (or from a previous run, or a fallback): shown dimmed and marked.
  public var isStale: Bool
  /// Time since this process received the value.
  public var age: Duration
  public var origin: Origin

  public init(quote: Quote, isStale: Bool, age: Duration, origin: Origin) {
    self.quote = quote
    self.isStale = isStale
    self.age = age
    self.origin = origin
  }

  public var symbol: Symbol { quote.symbol }
  public var source: ProviderID { quote.source }
}
