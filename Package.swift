// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "stockrecon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stockrecon", targets: ["stockrecon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CLibCrypto", providers: [.apt(["libssl-dev"])]),

        // Pure values and rules: Foundation only.
        .target(name: "StockReconCore"),
        // Readers: CSV (libcsv), JSON, one mapper per source format, file hashing.
        .target(name: "StockReconIO", dependencies: ["StockReconCore", "CLibCSV", "CLibCrypto"]),
        // The SQLite store: migrations, ledger, balances, queries.
        .target(name: "StockReconStore", dependencies: [
            "StockReconCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The stages: read -> validate -> post -> summarize.
        .target(name: "StockReconPipeline", dependencies: ["StockReconCore", "StockReconIO", "StockReconStore"]),
        // Command line only.
        .executableTarget(name: "stockrecon", dependencies: [
            "StockReconPipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "StockReconCoreTests", dependencies: ["StockReconCore"]),
        .testTarget(name: "StockReconIOTests", dependencies: ["StockReconIO"]),
        .testTarget(name: "StockReconStoreTests", dependencies: ["StockReconStore"]),
        .testTarget(name: "StockReconPipelineTests", dependencies: ["StockReconPipeline", "StockReconStore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["stockrecon"], exclude: ["golden"]),
    ],
    swiftLanguageModes: [.v6]
)
