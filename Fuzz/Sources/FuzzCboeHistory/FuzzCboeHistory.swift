import FuzzSupport
import MarketCore
import MarketProviders

/// Cboe's whole-history daily chart file (numbers or strings, pre-listing zeros).
let fuzzer = HistoryResponseFuzzer(
  adapter: CboeAdapter(),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("^VIX"), interval: .oneDay, from: 946_684_800, to: 1_704_067_200, now: 1_766_426_400),
  ])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
