import FuzzSupport
import MarketCore
import MarketProviders

/// Finnhub's `/api/v1/quote` body.
let fuzzer = ProviderResponseFuzzer(
  adapter: FinnhubAdapter(token: Secret("FUZZTOKEN0001")),
  candidates: [Symbol("AAPL"), Symbol("RUBI"), Symbol("BRK-B"), Symbol("ZZZZ")],
  secrets: ["FUZZTOKEN0001"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
