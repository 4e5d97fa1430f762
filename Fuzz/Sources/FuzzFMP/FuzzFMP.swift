import FuzzSupport
import MarketCore
import MarketProviders

/// Financial Modeling Prep's quote body (the v3 endpoint, batched; the stable one parses the same).
let fuzzer = ProviderResponseFuzzer(
  adapter: FinancialModelingPrepAdapter(apiKey: Secret("FUZZAPIKEY0001"), endpoint: .legacyV3),
  candidates: [Symbol("AAPL"), Symbol("MSFT"), Symbol("BTC-USD"), Symbol("EURUSD=X"), Symbol("^GSPC"), Symbol("ZZZZ")],
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
