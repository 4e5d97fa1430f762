import FuzzSupport
import MarketCore
import MarketProviders

/// Yahoo's quoteSummary (a session's crumb and cookie must never show in an error).
let fuzzer = ProfileResponseFuzzer(
  adapter: YahooFinanceAdapter(session: .init(crumb: Secret("CRUMBfuzz0123"), cookie: Secret("A3=COOKIEfuzz"))),
  candidates: [Symbol("AAPL"), Symbol("0700.HK")], secrets: ["CRUMBfuzz0123", "A3=COOKIEfuzz"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
