import FuzzSupport
import MarketCore
import MarketProviders

/// TMX's GraphQL `getQuoteBySymbol` answer (and its `errors`).
let fuzzer = ProviderResponseFuzzer(
  adapter: TMXAdapter(),
  candidates: [Symbol("SHOP.TO"), Symbol("RCI-B.TO"), Symbol("ABC.V")],
  secrets: [])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzer.run(FuzzInput(data, size))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
