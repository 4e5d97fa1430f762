// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for Lianyaohu's parsers: a package of its own so the fuzzing flags never
// reach the main package's build or tests. Build and run them with `scripts/fuzz`, which
// passes `-sanitize=fuzzer,address -parse-as-library`; a plain `swift build` here is not
// meant to link (libFuzzer supplies `main`).

let strict: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .treatAllWarnings(as: .error),
]

/// One fuzz target: an executable whose only entry point is `LLVMFuzzerTestOneInput`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
  .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, swiftSettings: strict)
}

let root = "lianyaohu"
let providerParser: [Target.Dependency] = [
  .product(name: "MarketCore", package: root), .product(name: "MarketProviders", package: root),
]

let package = Package(
  name: "LianyaohuFuzz",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "fuzz-openbb", targets: ["FuzzOpenBB"]),
    .executable(name: "fuzz-yahoo-chart", targets: ["FuzzYahooChart"]),
    .executable(name: "fuzz-yahoo-quote", targets: ["FuzzYahooQuote"]),
    .executable(name: "fuzz-alpha-vantage", targets: ["FuzzAlphaVantage"]),
    .executable(name: "fuzz-finnhub", targets: ["FuzzFinnhub"]),
    .executable(name: "fuzz-fmp", targets: ["FuzzFMP"]),
    .executable(name: "fuzz-polygon-prev-close", targets: ["FuzzPolygonPrevClose"]),
    .executable(name: "fuzz-polygon-last-trade", targets: ["FuzzPolygonLastTrade"]),
    .executable(name: "fuzz-stooq", targets: ["FuzzStooq"]),
    .executable(name: "fuzz-cboe", targets: ["FuzzCboe"]),
    .executable(name: "fuzz-tmx", targets: ["FuzzTMX"]),
    .executable(name: "fuzz-openbb-history", targets: ["FuzzOpenBBHistory"]),
    .executable(name: "fuzz-openbb-profile", targets: ["FuzzOpenBBProfile"]),
    .executable(name: "fuzz-yahoo-history", targets: ["FuzzYahooHistory"]),
    .executable(name: "fuzz-yahoo-profile", targets: ["FuzzYahooProfile"]),
    .executable(name: "fuzz-stooq-history", targets: ["FuzzStooqHistory"]),
    .executable(name: "fuzz-alpha-vantage-history", targets: ["FuzzAlphaVantageHistory"]),
    .executable(name: "fuzz-alpha-vantage-overview", targets: ["FuzzAlphaVantageOverview"]),
    .executable(name: "fuzz-fmp-history", targets: ["FuzzFMPHistory"]),
    .executable(name: "fuzz-fmp-profile", targets: ["FuzzFMPProfile"]),
    .executable(name: "fuzz-polygon-aggregates", targets: ["FuzzPolygonAggregates"]),
    .executable(name: "fuzz-polygon-ticker-details", targets: ["FuzzPolygonTickerDetails"]),
    .executable(name: "fuzz-finnhub-profile", targets: ["FuzzFinnhubProfile"]),
    .executable(name: "fuzz-cboe-history", targets: ["FuzzCboeHistory"]),
    .executable(name: "fuzz-symbol", targets: ["FuzzSymbol"]),
    .executable(name: "fuzz-sse", targets: ["FuzzServerSentEvents"]),
    .executable(name: "fuzz-config", targets: ["FuzzConfiguration"]),
    .executable(name: "fuzz-theme", targets: ["FuzzTheme"]),
    .executable(name: "fuzz-resp", targets: ["FuzzRESP"]),
  ],
  dependencies: [
    .package(name: "lianyaohu", path: ".."),
    // The RESP target builds its input as NIO ByteBuffers.
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
  ],
  targets: [
    .target(name: "CLibFuzzer"),
    .target(
      name: "FuzzSupport",
      dependencies: [
        "CLibFuzzer",
        .product(name: "MarketCore", package: root),
        .product(name: "MarketProviders", package: root),
      ],
      swiftSettings: strict
    ),
    fuzzTarget("FuzzOpenBB", providerParser),
    fuzzTarget("FuzzYahooChart", providerParser),
    fuzzTarget("FuzzYahooQuote", providerParser),
    fuzzTarget("FuzzAlphaVantage", providerParser),
    fuzzTarget("FuzzFinnhub", providerParser),
    fuzzTarget("FuzzFMP", providerParser),
    fuzzTarget("FuzzPolygonPrevClose", providerParser),
    fuzzTarget("FuzzPolygonLastTrade", providerParser),
    fuzzTarget("FuzzStooq", providerParser),
    fuzzTarget("FuzzCboe", providerParser),
    fuzzTarget("FuzzTMX", providerParser),
    fuzzTarget("FuzzOpenBBHistory", providerParser),
    fuzzTarget("FuzzOpenBBProfile", providerParser),
    fuzzTarget("FuzzYahooHistory", providerParser),
    fuzzTarget("FuzzYahooProfile", providerParser),
    fuzzTarget("FuzzStooqHistory", providerParser),
    fuzzTarget("FuzzAlphaVantageHistory", providerParser),
    fuzzTarget("FuzzAlphaVantageOverview", providerParser),
    fuzzTarget("FuzzFMPHistory", providerParser),
    fuzzTarget("FuzzFMPProfile", providerParser),
    fuzzTarget("FuzzPolygonAggregates", providerParser),
    fuzzTarget("FuzzPolygonTickerDetails", providerParser),
    fuzzTarget("FuzzFinnhubProfile", providerParser),
    fuzzTarget("FuzzCboeHistory", providerParser),
    fuzzTarget("FuzzSymbol", providerParser),
    fuzzTarget("FuzzServerSentEvents", [.product(name: "ControlAPIClient", package: root)]),
    fuzzTarget(
      "FuzzConfiguration",
      [.product(name: "MarketCore", package: root), .product(name: "LianyaohuConfig", package: root)]),
    fuzzTarget("FuzzTheme", [.product(name: "TerminalUI", package: root)]),
    fuzzTarget(
      "FuzzRESP",
      [.product(name: "CacheTiers", package: root), .product(name: "NIOCore", package: "swift-nio")]),
  ]
)
