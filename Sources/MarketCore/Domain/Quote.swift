import Foundation

/// One normalised price observation: the same shape whichever provider produced it.
///
/// Percent values are in percent units (1.25 means 1.25 %), whatever the provider sent.
public struct Quote: MarketValue, Hashable, Codable {
  public var symbol: Symbol
  public var price: Double
  public var change: Double?
  public var changePercent: Double?
  public var open: Double?
  public var high: Double?
  public var low: Double?
  public var previousClose: Double?
  public var volume: Int64?
  public var currency: String?
  /// When the provider says the price was true.
  public var asOf: Date
  /// When this process received it, from the injected clock.
  public var receivedAt: Date
  public var source: ProviderID
  /// Prices from the embedded simulated market are never real and are always marked so.
  public var isSimulated: Bool
  /// True when the provider publishes the price with a deliberate delay (Cboe's free quotes,
  /// 15 minutes), so screens and tools can say so, as they do for stale and simulated ones.
  public var isDelayed: Bool
  /// Fields of the provider's that contradicted its others and were recomputed (change from
  /// price and previous close), in words: announced as data-quality events when the quote is
  /// accepted. Not stored in the tiers: a stored quote is the repaired one.
  public var repairs: [String] = []

  public init(
    symbol: Symbol, price: Double, change: Double? = nil, changePercent: Double? = nil,
    open: Double? = nil, high: Double? = nil, low: Double? = nil, previousClose: Double? = nil,
    volume: Int64? = nil, currency: String? = nil, asOf: Date, receivedAt: Date,
    source: ProviderID, isSimulated: Bool, isDelayed: Bool = false
  ) {
    self.symbol = symbol
    self.price = price
    self.change = change
    self.changePercent = changePercent
    self.open = open
    self.high = high
    self.low = low
    self.previousClose = previousClose
    self.volume = volume
    self.currency = currency
    self.asOf = asOf
    self.receivedAt = receivedAt
    self.source = source
    self.isSimulated = isSimulated
    self.isDelayed = isDelayed
  }

  enum CodingKeys: String, CodingKey {
    case symbol, price, change, changePercent, open, high, low, previousClose, volume, currency, asOf, receivedAt
    case source, isSimulated, isDelayed
  }

  /// Approximate resident size, used to bound the cache by bytes.
  public var approximateByteCount: Int {
    MemoryLayout<Quote>.stride + symbol.text.utf8.count + source.name.utf8.count + (currency?.utf8.count ?? 0)
  }
}
