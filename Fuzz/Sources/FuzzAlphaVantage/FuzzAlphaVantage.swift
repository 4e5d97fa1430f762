import FuzzSupport
import MarketCore
import MarketProviders

/// Alpha Vantage's `GLOBAL_QUOTE` and `CURRENCY_EXCHANGE_RATE` bodies.
let fuzzer = ProviderResponseFuzzer(
  adapter: AlphaVantageAdapter(apiKey: Secret("FUZZAPIKEY0001")),
  candidates: [Symbol("MSFT"), Symbol("BTC-CNY"), Symbol("EURUSD=X"), Symbol("VOD.L"), Symbol("600519.SS"), Symbol("ZZZZ")],
  secrets: ["FUZZAPIKEY0001"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
