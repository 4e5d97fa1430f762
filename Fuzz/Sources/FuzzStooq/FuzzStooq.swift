import FuzzSupport
import MarketCore
import MarketProviders

/// Stooq's CSV quote body.
let fuzzer = ProviderResponseFuzzer(
  adapter: StooqAdapter(),
  candidates: [Symbol("AAPL"), Symbol("APPL"), Symbol("VOD.L"), Symbol("EURUSD=X"), Symbol("7203.T"), Symbol("BRK-B")],
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
