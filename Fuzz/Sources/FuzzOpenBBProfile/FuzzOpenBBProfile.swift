import FuzzSupport
import MarketCore
import MarketProviders

/// openbb-api's profile route (batched EquityInfo rows and warnings).
let fuzzer = ProfileResponseFuzzer(
  adapter: OpenBBAdapter(credentials: .init(username: "desk", password: Secret("OBBPASSWORDfuzz"))),
  candidates: [Symbol("AAPL"), Symbol("ZZZZ"), Symbol("BTC-USD"), Symbol("0700.HK")], secrets: ["OBBPASSWORDfuzz"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
