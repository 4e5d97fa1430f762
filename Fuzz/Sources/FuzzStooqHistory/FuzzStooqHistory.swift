import FuzzSupport
import MarketCore
import MarketProviders

/// Stooq's CSV download (daily, weekly), and its plain-text and HTML refusals.
let fuzzer = HistoryResponseFuzzer(
  adapter: StooqAdapter(apiKey: Secret("STOOQKEYfuzz")),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("^GSPC"), interval: .oneWeek, from: 1_672_531_200, to: 1_704_067_200, now: 1_766_426_400),
  ], secrets: ["STOOQKEYfuzz"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
