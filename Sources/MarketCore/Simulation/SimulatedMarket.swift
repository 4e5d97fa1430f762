import Foundation
import Synchronization

/// The embedded market that needs no key or network: every listed symbol follows its own
/// geometric Brownian motion, stepped on a fixed grid of the injected clock's time.
///
/// The path of a symbol depends only on the seed and the symbol, never on who asks or when,
/// so the same seed gives the same prices. Trading hours are ignored: it always trades.
public final class SimulatedMarket: Sendable {
  /// One listed instrument: where it starts and how wildly it moves.
  public struct Listing: Hashable, Sendable {
    public var symbol: Symbol
    public var startingPrice: Double
    /// Annualised volatility (0.3 = 30 %).
    public var volatility: Double
    public var currency: String

    public init(symbol: Symbol, startingPrice: Double, volatility: Double, currency: String = "USD") {
      self.symbol = symbol
      self.startingPrice = startingPrice
      self.volatility = volatility
      self.currency = currency
    }
  }

  /// The price of one symbol at one step of the grid, with the session statistics so far.
  public struct Tick: Hashable, Sendable {
    public var symbol: Symbol
    public var price: Double
    public var open: Double
    public var high: Double
    public var low: Double
    public var previousClose: Double
    public var volume: Int64
    public var currency: String
    public var step: Int64
  }

  private struct Path {
    var listing: Listing
    var random: SeededRandom
    var step: Int64 = 0
    var price: Double
    var open: Double
    var high: Double
    var low: Double
    var volume: Int64 = 0
  }

  /// The grid on which prices move: fine enough to look live at four ticks a second.
  public let stepInterval: Duration
  public let seed: UInt64
  let listings: [Symbol: Listing]
  private let paths: Mutex<[Symbol: Path]>
  /// Annualised GBM scaled so the market looks lively on a dashboard without being absurd:
  /// one simulated trading day passes in `timeCompression` real seconds.
  private let yearsPerStep: Double

  public init(
    seed: UInt64 = 8, listings: [Listing] = SimulatedMarket.defaultListings, stepInterval: Duration = .milliseconds(250),
    secondsPerTradingDay: Double = 3600
  ) {
    self.seed = seed
    self.stepInterval = stepInterval
    var table: [Symbol: Listing] = [:]
    for listing in listings { table[listing.symbol] = listing }
    self.listings = table
    self.paths = Mutex([:])
    self.yearsPerStep = stepInterval.seconds / secondsPerTradingDay / 252
  }

  public var symbols: [Symbol] { listings.keys.sorted() }

  public func lists(_ symbol: Symbol) -> Bool { listings[symbol] != nil }

  /// The symbol's state at the grid step containing `instant`; nil when it is not listed.
  public func tick(for symbol: Symbol, at instant: MarketInstant) -> Tick? {
    guard let listing = listings[symbol] else { return nil }
    let target = max(0, instant.nanoseconds / max(1, stepInterval.nanoseconds))
    return paths.withLock { paths in
      var path =
        paths[symbol]
        ?? {
          var random = SeededRandom(seed: SeededRandom.derivedSeed(seed, symbol.text))
          let openGap = 1 + listing.volatility * 0.01 * random.nextGaussian()
          let open = listing.startingPrice * openGap
          return Path(listing: listing, random: random, price: open, open: open, high: open, low: open)
        }()
      advance(&path, to: target)
      paths[symbol] = path
      return Tick(
        symbol: symbol, price: path.price, open: path.open, high: path.high, low: path.low,
        previousClose: listing.startingPrice, volume: path.volume, currency: listing.currency, step: path.step)
    }
  }

  /// Moves a path forward one grid step at a time; the cost is linear in the gap, which the
  /// clock bounds in practice (a test that jumps a year pays for it, once).
  private func advance(_ path: inout Path, to target: Int64) {
    guard target > path.step else { return }
    let sigma = path.listing.volatility
    let drift = -0.5 * sigma * sigma * yearsPerStep
    let diffusion = sigma * yearsPerStep.squareRoot()
    while path.step < target {
      path.price *= exp(drift + diffusion * path.random.nextGaussian())
      path.high = max(path.high, path.price)
      path.low = min(path.low, path.price)
      path.volume += Int64(path.random.nextUnit() * 2_000)
      path.step += 1
    }
  }
}

extension SimulatedMarket {
  /// Plausible starting prices (late 2025) for every default watchlist symbol and a few more.
  public static let defaultListings: [Listing] = {
    let rows: [(StaticString, Double, Double, String)] = [
      ("AAPL", 232.10, 0.28, "USD"), ("NVDA", 181.40, 0.50, "USD"), ("MSFT", 508.20, 0.25, "USD"),
      ("TSLA", 428.70, 0.60, "USD"), ("AMD", 203.90, 0.55, "USD"), ("SPY", 662.30, 0.16, "USD"),
      ("QQQ", 598.10, 0.20, "USD"), ("VTI", 326.50, 0.16, "USD"), ("TLT", 89.40, 0.14, "USD"),
      ("GLD", 373.20, 0.17, "USD"), ("BRK-B", 493.60, 0.18, "USD"), ("JNJ", 186.30, 0.17, "USD"),
      ("KO", 68.90, 0.15, "USD"), ("PG", 151.20, 0.16, "USD"), ("JPM", 309.80, 0.24, "USD"),
      ("BTC-USD", 112_450.0, 0.55, "USD"), ("ETH-USD", 4_180.0, 0.70, "USD"), ("COIN", 331.50, 0.80, "USD"),
      ("MSTR", 338.20, 0.90, "USD"), ("SOL-USD", 208.70, 0.85, "USD"), ("XLE", 89.60, 0.22, "USD"),
      ("XLK", 281.40, 0.24, "USD"), ("SMH", 305.10, 0.38, "USD"), ("EURUSD=X", 1.1730, 0.07, "USD"),
      ("^VIX", 16.20, 1.10, "USD"), ("IWM", 243.80, 0.22, "USD"), ("ARKK", 79.30, 0.50, "USD"),
      ("PLTR", 182.60, 0.65, "USD"), ("SOFI", 26.40, 0.70, "USD"), ("RIVN", 14.20, 0.70, "USD"),
      ("BABA", 163.80, 0.45, "USD"), ("FXI", 40.10, 0.30, "USD"), ("0700.HK", 642.00, 0.32, "HKD"),
      ("600519.SS", 1_442.00, 0.25, "CNY"), ("601398.SS", 7.42, 0.18, "CNY"), ("SQQQ", 15.70, 0.60, "USD"),
      ("UVXY", 10.90, 1.20, "USD"), ("GME", 24.30, 0.75, "USD"), ("INTC", 35.60, 0.50, "USD"),
      ("BA", 216.40, 0.35, "USD"), ("GOOGL", 252.30, 0.30, "USD"), ("AMZN", 231.40, 0.32, "USD"),
      ("META", 755.20, 0.35, "USD"), ("TSM", 281.60, 0.38, "USD"), ("SMCI", 46.80, 0.85, "USD"),
      ("AVGO", 345.10, 0.45, "USD"), ("NFLX", 1_210.0, 0.35, "USD"), ("DIA", 462.10, 0.15, "USD"),
      ("^GSPC", 6_650.0, 0.16, "USD"), ("^IXIC", 22_480.0, 0.20, "USD"), ("GBPUSD=X", 1.3490, 0.08, "USD"),
      ("USDJPY=X", 147.90, 0.09, "JPY"), ("DOGE-USD", 0.2410, 1.00, "USD"), ("XOM", 113.50, 0.24, "USD"),
      ("V", 341.20, 0.20, "USD"), ("WMT", 103.40, 0.18, "USD"), ("9988.HK", 164.20, 0.45, "HKD"),
    ]
    return rows.map { Listing(symbol: Symbol($0.0), startingPrice: $0.1, volatility: $0.2, currency: $0.3) }
  }()
}
