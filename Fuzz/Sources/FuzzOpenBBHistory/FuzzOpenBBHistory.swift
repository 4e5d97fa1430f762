import FuzzSupport
import MarketCore
import MarketProviders

/// openbb-api's historical route (daily rows of FMP, intraday rows of yfinance, weekly rows).
let fuzzer = HistoryResponseFuzzer(
  adapter: OpenBBAdapter(backend: "yfinance"),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("BTC-USD"), interval: .oneHour, from: 1_704_067_200, to: 1_704_240_000, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("MSFT"), interval: .oneWeek, from: 1_672_531_200, to: 1_704_067_200, now: 1_766_426_400),
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
