import MarketCore
import Testing

@testable import MarketProviders

/// Every adapter in every configuration, for checks that must hold across all of them.
let allAdapters: [any HTTPQuoteAdapter] = [
  OpenBBAdapter(backend: "fmp", credentials: .init(username: "openbb", password: Secret("SEKRETKEY123456"))),
  OpenBBAdapter(backend: "yfinance"),
  YahooFinanceAdapter(),
  YahooFinanceAdapter(session: .init(crumb: Secret("SEKRETKEY123456"), cookie: Secret("SEKRETKEY123456"))),
  AlphaVantageAdapter(apiKey: Secret("SEKRETKEY123456")), FinnhubAdapter(token: Secret("SEKRETKEY123456")),
  FinancialModelingPrepAdapter(apiKey: Secret("SEKRETKEY123456")),
  FinancialModelingPrepAdapter(apiKey: Secret("SEKRETKEY123456"), endpoint: .legacyV3),
  PolygonAdapter(apiKey: Secret("SEKRETKEY123456")),
  PolygonAdapter(apiKey: Secret("SEKRETKEY123456"), endpoint: .lastTrade),
  StooqAdapter(), CboeAdapter(), TMXAdapter(),
  OpenBBAdapter(id: "openbb-intrinio", backend: "intrinio"), OpenBBAdapter(id: "openbb-cboe", backend: "cboe"),
  OpenBBAdapter(id: "openbb-tmx", backend: "tmx"),
]

/// Adapters whose coverage `ProviderCapabilities.Exchanges` cannot express (TMX quotes its
/// suffixes only, not US listings): their symbol mapping narrows what they declare.
let adaptersNarrowedByMapping: Set<ProviderID> = ["tmx", "openbb-tmx"]

@Suite struct SymbolMappingTests {
  /// The debate watchlists plus shapes they do not cover (share classes, more exchanges,
  /// Yahoo's one-currency forex form, futures, crypto quoted in crypto).
  static let symbols: [Symbol] =
    Immortal.all.flatMap(\.defaultSymbols) + [
      Symbol("VOD.L"), Symbol("7203.T"), Symbol("SAP.DE"), Symbol("RY.TO"), Symbol("JPY=X"), Symbol("GC=F"),
      Symbol("ETH-BTC"), Symbol("BTC-CNY"), Symbol("^GSPC"),
    ]

  @Test func declaredCapabilitiesNeverPromiseAnUnmappableSymbol() {
    for adapter in allAdapters {
      for symbol in Self.symbols where adapter.capabilities.canServe(symbol) {
        guard !adaptersNarrowedByMapping.contains(adapter.id) else { continue }
        #expect(adapter.providerSymbol(for: symbol) != nil, "\(adapter.id) declares \(symbol) but cannot map it")
      }
      for symbol in Self.symbols where !adapter.capabilities.canServe(symbol) {
        #expect(adapter.providerSymbol(for: symbol) == nil, "\(adapter.id) maps \(symbol) it does not declare")
      }
    }
  }

  @Test func everyServableSymbolBuildsARequest() throws {
    for adapter in allAdapters {
      for symbol in Self.symbols where adapter.canServe(symbol) {
        let request = try adapter.makeRequest(for: [symbol])
        #expect(request.symbols == [symbol])
        #expect(request.path.hasPrefix("/"))
      }
    }
  }

  @Test func unservableSymbolIsRejectedNotRequested() {
    let finnhub = FinnhubAdapter(token: Secret("t"))
    #expect(throws: ProviderError.unsupportedSymbol(Symbol("BTC-USD"))) {
      try finnhub.makeRequest(for: [Symbol("BTC-USD")])
    }
  }

  @Test func yahooKeepsCanonicalSymbols() {
    for symbol in Self.symbols {
      #expect(YahooFinanceAdapter().providerSymbol(for: symbol) == symbol.text)
    }
  }

  @Test func fmpMapsPairsAndKeepsTheRest() {
    let fmp = FinancialModelingPrepAdapter(apiKey: Secret("k"))
    #expect(fmp.providerSymbol(for: Symbol("BTC-USD")) == "BTCUSD")
    #expect(fmp.providerSymbol(for: Symbol("EURUSD=X")) == "EURUSD")
    #expect(fmp.providerSymbol(for: Symbol("JPY=X")) == "USDJPY")
    #expect(fmp.providerSymbol(for: Symbol("^VIX")) == "^VIX")
    #expect(fmp.providerSymbol(for: Symbol("600519.SS")) == "600519.SS")
    #expect(fmp.providerSymbol(for: Symbol("GC=F")) == "GCUSD")
  }

  @Test func planSplitsIntoBatchesAndSetsAsideUnservable() {
    let legacy = FinancialModelingPrepAdapter(apiKey: Secret("k"), endpoint: .legacyV3, maximumBatchSize: 2)
    let plan = legacy.plan(for: [Symbol("AAPL"), Symbol("MSFT"), Symbol("GC=F"), Symbol("AAPL"), Symbol("NVDA")])
    #expect(plan.requests.map(\.symbols) == [[Symbol("AAPL"), Symbol("MSFT")], [Symbol("GC=F"), Symbol("NVDA")]])
    #expect(plan.rejected.isEmpty)
    let cboe = CboeAdapter().plan(for: [Symbol("AAPL"), Symbol("BTC-USD")])
    #expect(cboe.requests.count == 1)
    #expect(cboe.rejected.keys.sorted() == [Symbol("BTC-USD")])
  }

  // MARK: One canonical symbol space, one spelling per provider

  /// The canonical (Yahoo) symbol of each class, and each provider's spelling of it; nil is
  /// a class the provider documents it lacks, refused before any request.
  static let classes = [
    "AAPL", "BRK-B", "^GSPC", "EURUSD=X", "BTC-USD", "GC=F", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L",
  ]

  static let spellings: [(ProviderID, any HTTPQuoteAdapter, [String?])] = [
    (
      "yahoo", YahooFinanceAdapter(),
      ["AAPL", "BRK-B", "^GSPC", "EURUSD=X", "BTC-USD", "GC=F", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L"]
    ),
    (
      "openbb-yfinance", OpenBBAdapter(backend: "yfinance"),
      ["AAPL", "BRK-B", "^GSPC", "EURUSD=X", "BTC-USD", "GC=F", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L"]
    ),
    (
      "openbb-fmp", OpenBBAdapter(backend: "fmp"),
      ["AAPL", "BRK-B", "^GSPC", "EURUSD", "BTCUSD", "GCUSD", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L"]
    ),
    (
      "openbb-intrinio", OpenBBAdapter(backend: "intrinio"),
      ["AAPL", "BRK.B", nil, nil, nil, nil, nil, nil, nil, nil, nil]
    ),
    ("openbb-cboe", OpenBBAdapter(backend: "cboe"), ["AAPL", "BRK-B", "SPX", nil, nil, nil, nil, nil, nil, nil, nil]),
    ("openbb-tmx", OpenBBAdapter(backend: "tmx"), [nil, nil, nil, nil, nil, nil, nil, nil, "SHOP", nil, nil]),
    (
      "alpha-vantage", AlphaVantageAdapter(apiKey: Secret("k")),
      ["AAPL", "BRK-B", nil, "EUR/USD", "BTC/USD", nil, "0700.HK", "600519.SHH", "SHOP.TRT", "ASML.AS", "VOD.LON"]
    ),
    ("finnhub", FinnhubAdapter(token: Secret("k")), ["AAPL", "BRK.B", nil, nil, nil, nil, nil, nil, nil, nil, nil]),
    (
      "fmp", FinancialModelingPrepAdapter(apiKey: Secret("k")),
      ["AAPL", "BRK-B", "^GSPC", "EURUSD", "BTCUSD", "GCUSD", "0700.HK", "600519.SS", "SHOP.TO", "ASML.AS", "VOD.L"]
    ),
    (
      "polygon", PolygonAdapter(apiKey: Secret("k")),
      ["AAPL", "BRK.B", "I:SPX", "C:EURUSD", "X:BTCUSD", nil, nil, nil, nil, nil, nil]
    ),
    (
      "polygon-last-trade", PolygonAdapter(apiKey: Secret("k"), endpoint: .lastTrade),
      ["AAPL", "BRK.B", nil, nil, nil, nil, nil, nil, nil, nil, nil]
    ),
    (
      "stooq", StooqAdapter(),
      ["aapl.us", "brk-b.us", "^spx", "eurusd", "btcusd", "gc.f", "0700.hk", "600519.ss", "shop.to", "asml.as", "vod.uk"]
    ),
    ("cboe", CboeAdapter(), ["AAPL", "BRK-B", "_SPX", nil, nil, nil, nil, nil, nil, nil, nil]),
    ("tmx", TMXAdapter(), [nil, nil, nil, nil, nil, nil, nil, nil, "SHOP", nil, nil]),
  ]

  @Test(arguments: Self.spellings.indices)
  func eachProviderSpellsEachClassItsWay(_ row: Int) throws {
    let (name, adapter, expected) = Self.spellings[row]
    try #require(expected.count == Self.classes.count)
    for (text, spelling) in zip(Self.classes, expected) {
      let symbol = try Symbol(validating: text)
      #expect(adapter.providerSymbol(for: symbol) == spelling, "\(name): \(text)")
      // Refused up front exactly when there is no spelling; asked otherwise.
      #expect(adapter.canServe(symbol) == (spelling != nil), "\(name): \(text)")
      #expect(adapter.plan(for: [symbol]).rejected.isEmpty == (spelling != nil), "\(name): \(text)")
    }
  }
}
