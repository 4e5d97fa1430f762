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
  StooqAdapter(),
]

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
    #expect(fmp.providerSymbol(for: Symbol("GC=F")) == nil)
  }

  @Test func planSplitsIntoBatchesAndSetsAsideUnservable() {
    let legacy = FinancialModelingPrepAdapter(apiKey: Secret("k"), endpoint: .legacyV3, maximumBatchSize: 2)
    let plan = legacy.plan(for: [Symbol("AAPL"), Symbol("MSFT"), Symbol("GC=F"), Symbol("AAPL"), Symbol("NVDA")])
    #expect(plan.requests.map(\.symbols) == [[Symbol("AAPL"), Symbol("MSFT")], [Symbol("NVDA")]])
    #expect(plan.rejected == [Symbol("GC=F"): .unsupportedSymbol(Symbol("GC=F"))])
    let stooq = StooqAdapter().plan(for: [Symbol("AAPL"), Symbol("BTC-USD")])
    #expect(stooq.requests.count == 1)
    #expect(stooq.rejected.keys.sorted() == [Symbol("BTC-USD")])
  }
}
