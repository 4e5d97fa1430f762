import FuzzSupport
import MarketCore
import MarketProviders

/// Alpha Vantage's daily and weekly series (string numbers keyed by date) and its 200 errors.
let fuzzer = HistoryResponseFuzzer(
  adapter: AlphaVantageAdapter(apiKey: Secret("AVKEYfuzz012345")),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_673_395_200),
    HistoryQuery(symbol: Symbol("IBM"), interval: .oneWeek, from: 1_672_531_200, to: 1_704_067_200, now: 1_673_395_200),
  ], secrets: ["AVKEYfuzz012345"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
