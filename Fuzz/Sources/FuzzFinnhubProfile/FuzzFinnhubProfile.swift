import FuzzSupport
import MarketCore
import MarketProviders

/// Finnhub's profile2 (amounts in millions, `{}` for an unknown symbol).
let fuzzer = ProfileResponseFuzzer(
  adapter: FinnhubAdapter(token: Secret("FHTOKENfuzz0123")), candidates: [Symbol("AAPL"), Symbol("BRK-B")],
  secrets: ["FHTOKENfuzz0123"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
