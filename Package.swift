// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "callarchive",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callarchive", targets: ["callarchive"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // The executable is only `@main`; everything it does lives in CallArchiveCLI.
        .executableTarget(name: "callarchive", dependencies: ["CallArchiveCLI"], swiftSettings: strict),
        .target(
            name: "CallArchiveCLI",
            dependencies: [
                "Archive", "Catalog", "Model", "Reports", "Simulator", "Telephony", "Transport", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Archive",
            dependencies: [
                "AudioCheck", "Catalog", "Downloads", "Model", "PostgresCatalog", "Telephony", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Model", swiftSettings: strict),
        .target(
            name: "Transport",
            dependencies: ["Model", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .target(
            name: "Telephony",
            dependencies: [
                "Model", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Downloads",
            dependencies: [
                "Model", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AudioCheck",
            dependencies: ["CEBUR128", "CMPG123", "Model", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "Catalog",
            dependencies: ["Model", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strict,
            plugins: ["EmbedResourcesPlugin"]
        ),
        // The PostgreSQL catalog (`--catalog postgresql://…`): its own target, so code that only
        // needs SQLite (the benchmark filler, the fuzzers) does not link PostgresNIO.
        .target(
            name: "PostgresCatalog",
            dependencies: [
                "Catalog", "Model",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedResourcesPlugin"]
        ),
        .target(name: "Reports", dependencies: ["Model"], swiftSettings: strict),
        .target(
            name: "Simulator",
            dependencies: [
                "Model",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Voice"],
            swiftSettings: strict,
            plugins: ["EmbedResourcesPlugin"]
        ),
        // `callarchive serve`: the read-only web pages and JSON API over an archive (docs/serve.md).
        .target(
            name: "Serve",
            dependencies: [
                "Archive", "Catalog", "Model", "Reports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CMPG123",
            pkgConfig: "libmpg123",
            providers: [.apt(["libmpg123-dev"]), .brew(["mpg123"])]
        ),
        // libebur128: the EBU R128 loudness the audio metrics report (docs/contract.md §10).
        .systemLibrary(
            name: "CEBUR128",
            pkgConfig: "libebur128",
            providers: [.apt(["libebur128-dev"]), .brew(["libebur128"])]
        ),
        // Build-time tool: turns catalog/*.sql and the simulator's voice sample into Swift
        // string constants, so the binary carries its schema and needs no resource bundle.
        .executableTarget(name: "EmbedResources", swiftSettings: strict),
        // Benchmark-only: fills a catalog with a million realistic rows (`make bench`).
        .executableTarget(name: "BenchCatalog", dependencies: ["Catalog", "Model"], swiftSettings: strict),
        // Reliability-only: property-based fuzzing of the parsers that read untrusted input.
        .executableTarget(
            name: "Fuzz", dependencies: ["AudioCheck", "Catalog", "Model", "Simulator", "Telephony"], swiftSettings: strict
        ),
        // Reliability-only: libFuzzer target for the whole-file checker (`make reliability`).
        .executableTarget(name: "FuzzChecker", dependencies: ["AudioCheck", "Model"], swiftSettings: strict),
        .plugin(name: "EmbedResourcesPlugin", capability: .buildTool(), dependencies: ["EmbedResources"]),
        // Shared by the test targets: temporary directories removed at exit, the shipped migrations.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ModelTests", dependencies: ["TestSupport", "Model"], swiftSettings: strict),
        .testTarget(
            name: "TelephonyTests",
            dependencies: ["TestSupport", "Telephony", "Simulator", "Transport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AudioCheckTests",
            dependencies: ["TestSupport", "AudioCheck"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CatalogTests", dependencies: ["TestSupport", "Catalog", "PostgresCatalog", "Archive", "Simulator"], swiftSettings: strict
        ),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Reports", "Model"], swiftSettings: strict),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["TestSupport", "Simulator", "AudioCheck", "Transport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ArchiveTests",
            dependencies: ["TestSupport", 
                "Archive", "Simulator", "Catalog", "AudioCheck", "Telephony", "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DownloadsTests",
            dependencies: ["TestSupport", "Downloads", "Simulator", "Transport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: ["TestSupport", "Transport", "Model", "Simulator", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CLITests", dependencies: ["TestSupport", "Simulator", "Catalog", "PostgresCatalog", "AudioCheck"], swiftSettings: strict
        ),
        .testTarget(
            name: "ServeTests",
            dependencies: [
                "TestSupport", "Serve", "Archive", "Catalog", "Model", "Simulator", "Telephony", "Transport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
