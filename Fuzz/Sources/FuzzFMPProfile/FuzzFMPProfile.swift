import FuzzSupport
import MarketCore
import MarketProviders

/// FMP's legacy batched profile (the stable one is the same rows, one at a time).
let fuzzer = ProfileResponseFuzzer(
  adapter: FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYfuzz12345"), endpoint: .legacyV3),
  candidates: [Symbol("AAPL"), Symbol("ZZZZ"), Symbol("BTC-USD")], secrets: ["FMPKEYfuzz12345"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
