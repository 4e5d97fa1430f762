/// Where an answer came from on the read path, whatever its data class.
public enum ServedOrigin: String, Hashable, Sendable, Codable {
  /// The in-process L1 cache.
  case memory
  /// A provider, just now.
  case upstream
  /// A shared tier (Redis) or the persistent tier (SQLite).
  case sharedTier
  /// The last value ever seen, served because no provider could answer.
  case lastKnown
}

/// A value as the core hands it out: the value plus how old it is and where it was found.
public struct Served<Value: MarketValue>: Sendable {
  public typealias Origin = ServedOrigin

  /// The value in the box memory keeps it in: a warm read hands out that box (one reference)
  /// rather than copying the value and retaining each of its strings.
  private var stored: Stored<Value>
  /// Past its TTL (or from a previous run, or a fallback): shown dimmed and marked.
  public var isStale: Bool
  /// Time since this process received the value.
  public var age: Duration
  public var origin: Origin

  public init(_ value: Value, isStale: Bool, age: Duration, origin: Origin) {
    self.init(stored: Stored(value), isStale: isStale, age: age, origin: origin)
  }

  init(stored: Stored<Value>, isStale: Bool, age: Duration, origin: Origin) {
    self.stored = stored
    self.isStale = isStale
    self.age = age
    self.origin = origin
  }

  public var value: Value {
    get { stored.value }
    set { stored = Stored(newValue) }
  }

  public var source: ProviderID { value.source }
}

extension Served: Equatable where Value: Equatable {
  public static func == (lhs: Served, rhs: Served) -> Bool {
    lhs.value == rhs.value && lhs.isStale == rhs.isStale && lhs.age == rhs.age && lhs.origin == rhs.origin
  }
}

extension Served: Hashable where Value: Hashable {
  public func hash(into hasher: inout Hasher) {
    hasher.combine(value)
    hasher.combine(isStale)
    hasher.combine(age)
    hasher.combine(origin)
  }
}

/// A quote as served: the shape the dashboard, the API and the agents read most.
public typealias ServedQuote = Served<Quote>

extension Served where Value == Quote {
  public init(quote: Quote, isStale: Bool, age: Duration, origin: Origin) {
    self.init(quote, isStale: isStale, age: age, origin: origin)
  }

  public var quote: Quote {
    get { value }
    set { value = newValue }
  }

  public var symbol: Symbol { value.symbol }
}
