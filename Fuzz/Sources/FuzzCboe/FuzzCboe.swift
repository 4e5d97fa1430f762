import FuzzSupport
import MarketCore
import MarketProviders

/// Cboe's delayed-quote JSON (and the CDN's error pages).
let fuzzer = ProviderResponseFuzzer(
  adapter: CboeAdapter(),
  candidates: [Symbol("AAPL"), Symbol("^SPX"), Symbol("SPY")],
  secrets: [])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
