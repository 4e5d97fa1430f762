// swift-tools-version:6.2
import PackageDescription

/// Our own targets: Swift 6 language mode with complete strict concurrency, and every warning
/// an error so a warning can never land unnoticed.
let strict: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .treatAllWarnings(as: .error),
  // Lets clients of the generic cache (L1Cache<Quote>) get specialised code in release builds.
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
  name: "lianyaohu",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "lianyaohu", targets: ["lianyaohu"]),
    .executable(name: "lianyaohu-bench", targets: ["LianyaohuBench"]),
    .executable(name: "lianyaohu-allocations", targets: ["LianyaohuAllocations"]),
    .library(name: "MarketCore", targets: ["MarketCore"]),
    .library(name: "MarketProviders", targets: ["MarketProviders"]),
    // For the fuzzers in Fuzz/, a separate package that can only import products.
    .library(name: "TerminalUI", targets: ["TerminalUI"]),
    .library(name: "ControlAPI", targets: ["ControlAPI"]),
    .library(name: "ControlAPIClient", targets: ["ControlAPIClient"]),
    .library(name: "LianyaohuConfig", targets: ["LianyaohuConfig"]),
    .library(name: "CacheTiers", targets: ["CacheTiers"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    // Already built for AsyncHTTPClient; the Redis tier's rediss:// uses it too.
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    // The control API. Hummingbird without its swift-configuration trait, which we do not use.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // Counts heap allocations for lianyaohu-allocations (the hot path must make none).
    .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
    // The agents' MCP server (AgentTools): protocol, stdio and Streamable HTTP transports.
    .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
  ],
  targets: [
    .target(
      name: "MarketCore",
      dependencies: [
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "MarketProviders",
      dependencies: [
        "MarketCore",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "CacheTiers",
      dependencies: [
        "MarketCore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "CompressNIO", package: "compress-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "CNCurses",
      linkerSettings: [.linkedLibrary("ncursesw")]
    ),
    .target(
      name: "AgentTools",
      dependencies: [
        "MarketCore",
        .product(name: "MCP", package: "swift-sdk"),
        // The SDK's own logging API (its transports take a Logger).
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "TerminalUI",
      dependencies: ["MarketCore"],
      swiftSettings: strict
    ),
    .target(
      name: "TerminalBackend",
      dependencies: ["CNCurses", "TerminalUI"],
      swiftSettings: strict
    ),
    .target(
      name: "MarketTesting",
      dependencies: [
        "MarketCore",
        "TerminalBackend",
        "TerminalUI",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "CompressNIO", package: "compress-nio"),
        .product(name: "Metrics", package: "swift-metrics"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "ControlAPI",
      dependencies: [
        "MarketCore",
        "AgentTools",
        .product(name: "MCP", package: "swift-sdk"),
        "ControlAPIClient",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "CompressNIO", package: "compress-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "ControlAPIClient",
      dependencies: [
        "MarketCore",
        "TerminalUI",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "LianyaohuConfig",
      dependencies: [
        "MarketCore",
        // Only for RedisConfiguration's URL grammar: a URL the client cannot use is a
        // configuration error with its file and line, not a tier that silently stays off.
        "CacheTiers",
        .product(name: "TOMLKit", package: "TOMLKit"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "lianyaohu",
      dependencies: [
        "MarketCore",
        "MarketProviders",
        "TerminalUI",
        "TerminalBackend",
        "ControlAPI",
        "ControlAPIClient",
        "CacheTiers",
        "LianyaohuConfig",
        "AgentTools",
        .product(name: "MCP", package: "swift-sdk"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "LianyaohuBench",
      dependencies: [
        "MarketCore",
        "MarketProviders",
        "MarketTesting",
        "TerminalUI",
        "CacheTiers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/LianyaohuBench",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "LianyaohuAllocations",
      dependencies: [
        "MarketCore",
        "MarketTesting",
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
      ],
      path: "Benchmarks/Allocations",
      swiftSettings: strict
    ),
    .testTarget(
      name: "AgentToolsTests",
      dependencies: [
        "AgentTools",
        "MarketCore",
        "MarketTesting",
        .product(name: "MCP", package: "swift-sdk"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "CacheTiersTests",
      dependencies: [
        "CacheTiers",
        "MarketCore",
        "MarketTesting",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "ControlAPITests",
      dependencies: [
        "ControlAPI",
        "ControlAPIClient",
        "MarketCore",
        "MarketTesting",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "CompressNIO", package: "compress-nio"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "ControlAPIClientTests",
      dependencies: [
        "ControlAPIClient", "ControlAPI", "MarketCore", "MarketTesting", "TerminalUI",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "LianyaohuConfigTests",
      // lianyaohu: one test builds a core from a parsed file, as the executable does.
      dependencies: ["LianyaohuConfig", "lianyaohu", "MarketCore"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "LianyaohuTests",
      dependencies: [
        "lianyaohu", "LianyaohuConfig", "MarketCore", "MarketProviders", "MarketTesting", "TerminalUI",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "MarketCoreTests",
      dependencies: ["MarketCore", "MarketTesting"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "MarketProvidersTests",
      dependencies: [
        "MarketProviders",
        "MarketCore",
        "MarketTesting",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "MetricsTestKit", package: "swift-metrics"),
      ],
      resources: [.copy("Fixtures")],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TerminalUITests",
      dependencies: ["TerminalUI", "MarketCore"],
      exclude: ["Snapshots"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TerminalBackendTests",
      dependencies: ["TerminalBackend", "TerminalUI", "CNCurses", "MarketTesting"],
      swiftSettings: strict
    ),
  ]
)
