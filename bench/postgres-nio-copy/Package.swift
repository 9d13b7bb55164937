// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "niocopy",
    dependencies: [.package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2")],
    targets: [.executableTarget(name: "niocopy", dependencies: [.product(name: "PostgresNIO", package: "postgres-nio")])]
)
