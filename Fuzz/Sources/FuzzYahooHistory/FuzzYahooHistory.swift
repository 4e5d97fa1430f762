import FuzzSupport
import MarketCore
import MarketProviders

/// Yahoo's v8 chart as bars (daily dated by the exchange, intraday instants, weeks, months).
let fuzzer = HistoryResponseFuzzer(
  adapter: YahooFinanceAdapter(),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneMinute, from: 1_739_836_800, to: 1_739_923_200, now: 1_739_923_200),
    HistoryQuery(symbol: Symbol("0700.HK"), interval: .oneWeek, from: 1_672_531_200, to: 1_704_067_200, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("BTC-USD"), interval: .oneMonth, from: 1_672_531_200, to: 1_704_067_200, now: 1_766_426_400),
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
