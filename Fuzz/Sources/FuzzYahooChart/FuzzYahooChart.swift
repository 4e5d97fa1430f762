import FuzzSupport
import MarketCore
import MarketProviders

/// Yahoo's v8 chart body (no session: one symbol a request).
let fuzzer = ProviderResponseFuzzer(
  adapter: YahooFinanceAdapter(),
  candidates: [Symbol("AAPL"), Symbol("^VIX"), Symbol("BTC-USD"), Symbol("EURUSD=X"), Symbol("0700.HK")],
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
