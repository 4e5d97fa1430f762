import FuzzSupport
import MarketCore
import MarketProviders

/// Yahoo's v7 quote body (crumb and cookie session: batched).
let fuzzer = ProviderResponseFuzzer(
  adapter: YahooFinanceAdapter(session: .init(crumb: Secret("FUZZCRUMB0001"), cookie: Secret("FUZZCOOKIE0001"))),
  candidates: [
    Symbol("AAPL"), Symbol("MSFT"), Symbol("BTC-USD"), Symbol("EURUSD=X"), Symbol("^VIX"), Symbol("0700.HK"), Symbol("BRK-B"),
  ],
  secrets: ["FUZZCRUMB0001", "FUZZCOOKIE0001"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
