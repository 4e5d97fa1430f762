import FuzzSupport
import MarketCore
import MarketProviders

/// FMP's end-of-day series (newest first) and its error envelopes.
let fuzzer = HistoryResponseFuzzer(
  adapter: FinancialModelingPrepAdapter(apiKey: Secret("FMPKEYfuzz12345")),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400)
  ], secrets: ["FMPKEYfuzz12345"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
