import Foundation
import FuzzSupport
import MarketCore
import MarketProviders

/// Every adapter, to check that mapping a valid symbol to a provider's spelling never traps.
let adapters: [any HTTPQuoteAdapter] = [
  OpenBBAdapter(), OpenBBAdapter(backend: "yfinance"), YahooFinanceAdapter(),
  YahooFinanceAdapter(session: .init(crumb: Secret("c"), cookie: Secret("c"))), AlphaVantageAdapter(apiKey: Secret("k")),
  FinnhubAdapter(token: Secret("k")), FinancialModelingPrepAdapter(apiKey: Secret("k")),
  FinancialModelingPrepAdapter(apiKey: Secret("k"), endpoint: .legacyV3), PolygonAdapter(apiKey: Secret("k")),
  PolygonAdapter(apiKey: Secret("k"), endpoint: .lastTrade), StooqAdapter(),
]

/// The characters a canonical symbol may hold.
let canonicalBytes = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-=^".utf8))

/// `Symbol(validating:)` on arbitrary text: it must answer a typed error or a symbol that is
/// canonical, stable under re-validation and through JSON, and mappable by every adapter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let symbol: Symbol
  do {
    symbol = try Symbol(validating: text)
  } catch {
    require(!error.description.isEmpty, "empty error description")
    return 0
  }
  require(!symbol.text.isEmpty && symbol.text.utf8.count <= Symbol.maximumLength, "length of \(symbol.text)")
  require(symbol.text.utf8.allSatisfy(canonicalBytes.contains), "non-canonical \(symbol.text.debugDescription)")
  do {
    let again = try Symbol(validating: symbol.text)
    require(again == symbol && again.text == symbol.text && again.hashValue == symbol.hashValue, "re-validation changed it")
    let decoded = try JSONDecoder().decode(Symbol.self, from: try JSONEncoder().encode(symbol))
    require(decoded == symbol, "JSON round trip gave \(decoded)")
  } catch {
    require(false, "a valid symbol \(symbol.text) failed again: \(error)")
  }
  _ = symbol.assetClass
  _ = symbol.exchangeSuffix
  for adapter in adapters {
    let plan = adapter.plan(for: [symbol])
    require(plan.requests.count + plan.rejected.count == 1, "\(adapter.id) planned \(plan)")
    if let request = plan.requests.first { require(request.symbols == [symbol], "\(adapter.id) asked for \(request.symbols)") }
  }
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
