import FuzzSupport
import MarketCore
import MarketProviders

/// Alpha Vantage's OVERVIEW (strings, "None", `{}` for an unknown symbol).
let fuzzer = ProfileResponseFuzzer(
  adapter: AlphaVantageAdapter(apiKey: Secret("AVKEYfuzz012345")), candidates: [Symbol("IBM"), Symbol("VOD.L")],
  secrets: ["AVKEYfuzz012345"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
