// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "stockrecon",
    products: [
        .executable(name: "stockrecon", targets: ["stockrecon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CLibCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CYAJL", providers: [.apt(["libyajl-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMalloc"),

        // A prefetch for the tables probed at random on every row (Swift has none).
        .target(name: "CPrefetch"),
        // Pure values and rules: Foundation only (and CPrefetch).
        .target(name: "StockReconCore", dependencies: ["CPrefetch"]),
        // Readers: CSV (libcsv), JSON (yajl), XLSX, the importers, mapping files, file hashing.
        .target(name: "StockReconIO", dependencies: [
            "StockReconCore", "CLibCSV", "CLibCrypto", "CYAJL",
            .product(name: "Yams", package: "Yams"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // The store: its logic over the `SQLConnection` protocol; no driver.
        .target(name: "StockReconStore", dependencies: ["StockReconCore"]),
        // SQLite through GRDB: the store's backend, its frozen migrations and hot paths.
        .target(name: "StockReconSQLite", dependencies: [
            "StockReconCore", "StockReconStore", "CMalloc",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // PostgreSQL through libpq (a synchronous connection with COPY): the store's backend,
        // its frozen migrations and hot paths.
        .target(name: "StockReconPostgres", dependencies: ["StockReconCore", "StockReconStore", "CLibPQ", "CMalloc"]),
        // Opens a store by path or URL: the one place that knows every backend.
        .target(name: "StockReconBackends", dependencies: ["StockReconStore", "StockReconSQLite", "StockReconPostgres"]),
        // The stages: read -> validate -> post -> summarize.
        .target(name: "StockReconPipeline", dependencies: ["StockReconCore", "StockReconIO", "StockReconStore", "StockReconBackends"]),
        // Fuzz targets for what reads outside input (fuzz/run.sh), and their replay.
        .target(name: "StockReconFuzzing", dependencies: ["StockReconCore", "StockReconIO"]),
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "stockrecon-fuzz", dependencies: ["StockReconFuzzing", "CFuzzDriver"]),
        // Command line only.
        .executableTarget(name: "stockrecon", dependencies: [
            "StockReconPipeline", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Temporary folders, the package root and the shared corpora, for every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StockReconCoreTests", dependencies: ["StockReconCore", "TestSupport"]),
        .testTarget(name: "StockReconIOTests", dependencies: [
            "StockReconIO", "StockReconFuzzing", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "StockReconStoreTests", dependencies: [
            "StockReconStore", "StockReconSQLite", "StockReconPostgres", "StockReconBackends", "TestSupport",
        ]),
        .testTarget(name: "StockReconPostgresTests", dependencies: ["StockReconPostgres", "TestSupport"]),
        .testTarget(name: "StockReconPipelineTests", dependencies: ["StockReconPipeline", "StockReconStore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["stockrecon", "TestSupport"], exclude: ["golden"]),
    ],
    swiftLanguageModes: [.v6]
)
