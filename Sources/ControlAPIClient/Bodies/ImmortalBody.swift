import MarketCore

/// One immortal with their watchlist: each symbol's active flag and, when known, its quote.
public struct ImmortalBody: Codable, Sendable {
  public struct Entry: Codable, Sendable {
    public var symbol: String
    public var active: Bool
    public var quote: QuoteBody?
    public var error: ErrorDetail?
  }

  public var id: String
  public var name: String
  public var pinyin: String
  public var trigram: String
  public var trigramSymbol: String
  public var stance: String
  public var symbols: [Entry]

  enum CodingKeys: String, CodingKey {
    case id, name, pinyin, trigram
    case trigramSymbol = "trigram_symbol"
    case stance, symbols
  }

  public init(_ immortal: Immortal, watchlist: Watchlist, quotes: [Symbol: Result<ServedQuote, ReadError>]) {
    id = immortal.id.rawValue
    name = immortal.chineseName
    pinyin = immortal.pinyin
    trigram = immortal.trigram
    trigramSymbol = immortal.trigramSymbol
    stance = immortal.stance
    symbols = watchlist.entries.map { entry in
      switch quotes[entry.symbol] {
      case .success(let served)?:
        Entry(symbol: entry.symbol.text, active: entry.isActive, quote: QuoteBody(served))
      case .failure(let error)?:
        Entry(
          symbol: entry.symbol.text, active: entry.isActive,
          error: ErrorDetail(errorClass: error.errorClass, message: error.description))
      case nil:
        Entry(symbol: entry.symbol.text, active: entry.isActive)
      }
    }
  }
}

public struct ImmortalsBody: Codable, Sendable {
  public var immortals: [ImmortalBody]

  public init(immortals: [ImmortalBody]) {
    self.immortals = immortals
  }
}

/// `PUT /v1/immortals/{id}`: the whole watchlist, in order.
public struct WatchlistReplacement: Decodable {
  public struct Entry: Decodable {
    public var symbol: String
    public var active: Bool?
  }

  public var symbols: [Entry]
}

/// `PATCH /v1/immortals/{id}`: edits applied in order, all or none. Public so a client (the
/// dashboard attached over HTTP) sends exactly what the route decodes.
public struct WatchlistPatch: Codable, Sendable {
  public struct Edit: Codable, Sendable {
    public enum Operation: String, Codable, Sendable {
      case add, remove, toggle, activate, deactivate
    }

    public var op: Operation
    public var symbol: String

    public init(op: Operation, symbol: String) {
      self.op = op
      self.symbol = symbol
    }
  }

  public var edits: [Edit]

  public init(edits: [Edit]) { self.edits = edits }
}
