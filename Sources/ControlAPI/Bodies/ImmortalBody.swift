import MarketCore

/// One immortal with their watchlist: each symbol's active flag and, when known, its quote.
struct ImmortalBody: Encodable {
  struct Entry: Encodable {
    var symbol: String
    var active: Bool
    var quote: QuoteBody?
    var error: ErrorDetail?
  }

  var id: String
  var name: String
  var pinyin: String
  var trigram: String
  var trigramSymbol: String
  var stance: String
  var symbols: [Entry]

  enum CodingKeys: String, CodingKey {
    case id, name, pinyin, trigram
    case trigramSymbol = "trigram_symbol"
    case stance, symbols
  }

  init(_ immortal: Immortal, watchlist: Watchlist, quotes: [Symbol: Result<ServedQuote, QuoteError>]) {
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

struct ImmortalsBody: Encodable {
  var immortals: [ImmortalBody]
}

/// `PUT /v1/immortals/{id}`: the whole watchlist, in order.
struct WatchlistReplacement: Decodable {
  struct Entry: Decodable {
    var symbol: String
    var active: Bool?
  }

  var symbols: [Entry]
}

/// `PATCH /v1/immortals/{id}`: edits applied in order, all or none.
struct WatchlistPatch: Decodable {
  struct Edit: Decodable {
    enum Operation: String, Decodable {
      case add, remove, toggle, activate, deactivate
    }

    var op: Operation
    var symbol: String
  }

  var edits: [Edit]
}
