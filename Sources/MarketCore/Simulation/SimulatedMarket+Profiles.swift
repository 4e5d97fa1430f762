import Foundation

extension SimulatedMarket {
  /// The simulated company behind a listing, as every simulated source serves it (the
  /// provider, and `lianyaohu simulate`'s OpenBB profile route): the embedded facts, a market
  /// cap at `price`, marked simulated; nil for a symbol the market does not list.
  public func profile(of symbol: Symbol, price: Double, source: ProviderID, receivedAt: Date) -> Profile? {
    guard let listing = listing(symbol) else { return nil }
    let facts = Self.profiles[symbol]
    return Profile(
      symbol: symbol, name: facts?.name ?? "Simulated \(symbol)", exchange: facts?.exchange ?? "SIM",
      currency: listing.currency, sector: facts?.sector, industry: facts?.industry,
      marketCap: facts.map { $0.shares * price }, sharesOutstanding: facts?.shares, country: facts?.country, website: nil,
      description: "A listing of the embedded simulated market: its prices are made up, seeded, and never real.",
      source: source, receivedAt: receivedAt, isSimulated: true)
  }

  /// What the simulated market says about its listings: real names and sectors so a debate
  /// reads naturally, share counts to size a market cap from the simulated price. Every
  /// profile built from this is still marked simulated.
  struct Facts: Sendable {
    var name: String
    var exchange: String
    var sector: String?
    var industry: String?
    var country: String?
    /// Shares (or coins, or units) outstanding.
    var shares: Double
  }

  static let profiles: [Symbol: Facts] = {
    let rows: [(StaticString, String, String, String?, String?, String?, Double)] = [
      ("AAPL", "Apple Inc.", "NASDAQ", "Technology", "Consumer Electronics", "US", 14.8e9),
      ("NVDA", "NVIDIA Corporation", "NASDAQ", "Technology", "Semiconductors", "US", 24.3e9),
      ("MSFT", "Microsoft Corporation", "NASDAQ", "Technology", "Software", "US", 7.43e9),
      ("TSLA", "Tesla, Inc.", "NASDAQ", "Consumer Cyclical", "Auto Manufacturers", "US", 3.22e9),
      ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", "Technology", "Semiconductors", "US", 1.62e9),
      ("SPY", "SPDR S&P 500 ETF Trust", "NYSE Arca", "Fund", "Large Blend ETF", "US", 0.92e9),
      ("QQQ", "Invesco QQQ Trust", "NASDAQ", "Fund", "Large Growth ETF", "US", 0.6e9),
      ("VTI", "Vanguard Total Stock Market ETF", "NYSE Arca", "Fund", "Large Blend ETF", "US", 1.5e9),
      ("TLT", "iShares 20+ Year Treasury Bond ETF", "NASDAQ", "Fund", "Long Government Bond ETF", "US", 0.6e9),
      ("GLD", "SPDR Gold Shares", "NYSE Arca", "Fund", "Commodities Focused ETF", "US", 0.33e9),
      ("BRK-B", "Berkshire Hathaway Inc.", "NYSE", "Financial Services", "Insurance", "US", 2.16e9),
      ("JNJ", "Johnson & Johnson", "NYSE", "Healthcare", "Drug Manufacturers", "US", 2.41e9),
      ("KO", "The Coca-Cola Company", "NYSE", "Consumer Defensive", "Beverages", "US", 4.3e9),
      ("PG", "The Procter & Gamble Company", "NYSE", "Consumer Defensive", "Household Products", "US", 2.34e9),
      ("JPM", "JPMorgan Chase & Co.", "NYSE", "Financial Services", "Banks", "US", 2.75e9),
      ("BTC-USD", "Bitcoin", "CCC", "Cryptocurrency", nil, nil, 19.9e6),
      ("ETH-USD", "Ether", "CCC", "Cryptocurrency", nil, nil, 120.7e6),
      ("SOL-USD", "Solana", "CCC", "Cryptocurrency", nil, nil, 540e6),
      ("COIN", "Coinbase Global, Inc.", "NASDAQ", "Financial Services", "Financial Data & Exchanges", "US", 0.25e9),
      ("MSTR", "Strategy Inc", "NASDAQ", "Technology", "Software", "US", 0.28e9),
      ("PLTR", "Palantir Technologies Inc.", "NASDAQ", "Technology", "Software", "US", 2.36e9),
      ("BABA", "Alibaba Group Holding Limited", "NYSE", "Consumer Cyclical", "Internet Retail", "CN", 2.3e9),
      ("0700.HK", "Tencent Holdings Limited", "HKEX", "Communication Services", "Internet Content", "CN", 9.2e9),
      ("600519.SS", "Kweichow Moutai Co., Ltd.", "SSE", "Consumer Defensive", "Beverages", "CN", 1.26e9),
      ("601398.SS", "Industrial and Commercial Bank of China", "SSE", "Financial Services", "Banks", "CN", 356e9),
      ("GME", "GameStop Corp.", "NYSE", "Consumer Cyclical", "Specialty Retail", "US", 0.45e9),
      ("INTC", "Intel Corporation", "NASDAQ", "Technology", "Semiconductors", "US", 4.37e9),
      ("BA", "The Boeing Company", "NYSE", "Industrials", "Aerospace & Defense", "US", 0.76e9),
    ]
    var table: [Symbol: Facts] = [:]
    for row in rows {
      table[Symbol(row.0)] = Facts(
        name: row.1, exchange: row.2, sector: row.3, industry: row.4, country: row.5, shares: row.6)
    }
    return table
  }()
}
