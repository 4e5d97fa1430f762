import FuzzSupport
import MarketCore
import MarketProviders

/// Polygon's ticker details as a company profile.
let fuzzer = ProfileResponseFuzzer(
  adapter: PolygonAdapter(apiKey: Secret("PGKEYfuzz987654")), candidates: [Symbol("AAPL"), Symbol("BRK-B")],
  secrets: ["PGKEYfuzz987654"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
