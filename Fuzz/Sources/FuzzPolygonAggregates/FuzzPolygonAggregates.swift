import FuzzSupport
import MarketCore
import MarketProviders

/// Polygon's aggregates (epoch-millisecond starts, `next_url`, status envelopes).
let fuzzer = HistoryResponseFuzzer(
  adapter: PolygonAdapter(apiKey: Secret("PGKEYfuzz987654")),
  queries: [
    HistoryQuery(symbol: Symbol("AAPL"), interval: .oneDay, from: 1_672_531_200, to: 1_675_209_600, now: 1_766_426_400),
    HistoryQuery(symbol: Symbol("BTC-USD"), interval: .oneHour, from: 1_704_067_200, to: 1_704_153_600, now: 1_766_426_400),
  ], secrets: ["PGKEYfuzz987654"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
