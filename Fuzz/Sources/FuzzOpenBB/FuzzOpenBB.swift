import FuzzSupport
import MarketCore
import MarketProviders

/// OpenBB's `/api/v1/equity/price/quote` body, behind Basic auth (yfinance backend: every asset class).
let fuzzer = ProviderResponseFuzzer(
  adapter: OpenBBAdapter(backend: "yfinance", credentials: .init(username: "fuzz", password: Secret("FUZZPASSWORD0001"))),
  candidates: [
    Symbol("AAPL"), Symbol("MSFT"), Symbol("ZZZZ"), Symbol("BTC-USD"), Symbol("EURUSD=X"), Symbol("^VIX"), Symbol("BRK-B"),
  ],
  secrets: ["FUZZPASSWORD0001"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
