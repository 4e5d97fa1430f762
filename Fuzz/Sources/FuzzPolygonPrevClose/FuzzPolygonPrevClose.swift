import FuzzSupport
import MarketCore
import MarketProviders

/// Polygon's previous-close aggregate body.
let fuzzer = ProviderResponseFuzzer(
  adapter: PolygonAdapter(apiKey: Secret("FUZZAPIKEY0001"), endpoint: .previousClose),
  candidates: [Symbol("AAPL"), Symbol("BTC-USD"), Symbol("EURUSD=X"), Symbol("BRK-B"), Symbol("ZZZZ")],
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
