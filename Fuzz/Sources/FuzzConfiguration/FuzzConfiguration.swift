import FuzzSupport
import LianyaohuConfig
import MarketCore

/// Variables the `*_env` keys may name.
let environment = ["FUZZ_KEY": "FUZZSECRET0001", "FUZZ_CRUMB": "FUZZSECRET0002", "EMPTY": ""]

/// `AppConfiguration.parse` on arbitrary text (as the loader sees it: UTF-8, at most 1 MiB):
/// a `ConfigurationError` that names a line of the file and shows no secret, or a
/// configuration whose watchlists can be saved back into the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let configuration: AppConfiguration
  do {
    configuration = try AppConfiguration.parse(text, file: "fuzz.toml", environment: environment)
  } catch {
    // Bytes, not Characters: "\r\n" is one Character, and toml++ counts it as a line end.
    let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
    if let line = error.line { require((1...max(1, lines + 1)).contains(line), "error names line \(line) of \(lines)") }
    for secret in environment.values where !secret.isEmpty {
      require(!error.description.contains(secret), "error shows a secret: \(error)")
    }
    return 0
  }
  for provider in configuration.providers {
    require((1...100).contains(provider.priority) && provider.weight > 0, "provider \(provider.name) out of range")
  }
  // What saving an operator's watchlist edit does to this file.
  _ = WatchlistFile.rewrite(text, with: configuration.core.watchlists)
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
