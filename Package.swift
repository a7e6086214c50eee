// swift-tools-version: 6.0
// Recur: recurrent neural networks for time-series forecasting, in Swift.
// Targets depend one way, bottom up: RecurTensor <- RecurNN <- (RecurTrain) <- recur.
// RecurData stands alone. Only RecurServe (HTTP) depends on NIO/Hummingbird; RecurStore and
// RecurTune on GRDB. See ARCHITECTURE.md.
import Foundation
import PackageDescription

let package = Package(
    name: "Recur",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "recur", targets: ["recur"]),
        .library(name: "RecurNN", targets: ["RecurNN"]),
        .library(name: "RecurData", targets: ["RecurData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.9.0"..<"5.0.0"),
    ],
    targets: [
        .target(name: "RecurKernels"),
        .target(name: "RecurPlatform"),
        .target(name: "RecurTensor", dependencies: ["RecurKernels"], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "RecurNN", dependencies: ["RecurTensor", "RecurKernels"]),
        .target(name: "RecurData"),
        .target(name: "RecurTrain", dependencies: ["RecurNN", "RecurData", "RecurPlatform", .product(name: "Logging", package: "swift-log")]),
        .target(name: "RecurTune", dependencies: ["RecurTrain", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "RecurTunePostgres",
            dependencies: ["RecurTune", "RecurTrain", "CZlib", .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "RecurStore", dependencies: ["RecurTrain", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "RecurStorePostgres", dependencies: ["RecurStore", "RecurTunePostgres", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .target(
            name: "RecurServe",
            dependencies: [
                "RecurTrain", "RecurStore", "RecurStorePostgres", "RecurTune", "RecurTunePostgres", "RecurDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .target(name: "RecurDashboard", dependencies: ["RecurTensor", "RecurData", "RecurTrain", "RecurTune"]),
        .executableTarget(
            name: "RecurDashboardTool",
            dependencies: ["RecurDashboard", "RecurTune", "RecurTunePostgres", "RecurTrain", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "recur",
            dependencies: [
                "RecurTensor", "RecurNN", "RecurData", "RecurTrain", "RecurTune", "RecurTunePostgres", "RecurStore", "RecurStorePostgres", "RecurServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "RecurBench",
            dependencies: ["RecurTensor", "RecurNN", "RecurData", "RecurTrain", "RecurTune", "RecurTunePostgres",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "RecurTestSupport", dependencies: ["RecurTensor"], path: "Tests/RecurTestSupport"),
        .testTarget(name: "RecurTensorTests", dependencies: ["RecurTensor", "RecurTestSupport"]),
        .testTarget(
            name: "RecurNNTests", dependencies: ["RecurNN", "RecurKernels", "RecurTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "RecurDataTests", dependencies: ["RecurData", "RecurTestSupport"]),
        .testTarget(name: "RecurTrainTests", dependencies: ["RecurTrain", "RecurTestSupport"]),
        .testTarget(name: "RecurTuneTests", dependencies: ["RecurTune", "RecurTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RecurTunePostgresTests", dependencies: ["RecurTunePostgres", "RecurTune", "RecurTrain", "RecurTestSupport", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RecurDashboardTests", dependencies: ["RecurDashboard", "RecurTune", "RecurTrain", "RecurData", "RecurTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RecurCLITests", dependencies: ["RecurTestSupport"]),
        .testTarget(name: "RecurStoreTests", dependencies: ["RecurStore", "RecurTestSupport"]),
        .testTarget(name: "RecurStorePostgresTests", dependencies: ["RecurStorePostgres", "RecurStore", "RecurTunePostgres", "RecurTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "RecurServeTests", dependencies: ["RecurServe", "RecurStore", "RecurStorePostgres", "RecurTune", "RecurTunePostgres", "RecurTrain", "RecurTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]),
    ]
)

// Fuzz targets (Fuzz/, libFuzzer entry points): built only by scripts/fuzz.sh, which sets
// RECUR_FUZZ=1 and builds with `--sanitize=fuzzer --sanitize=address` into .build-fuzz.
if ProcessInfo.processInfo.environment["RECUR_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, folder: String, dependencies: [Target.Dependency])] = [
        ("fuzz-csv", "FuzzCSV", ["RecurData"]),
        ("fuzz-config", "FuzzConfig", ["RecurTrain"]),
        ("fuzz-set", "FuzzSet", ["RecurTrain"]),
        ("fuzz-safetensors", "FuzzSafeTensors", ["RecurTensor"]),
        ("fuzz-manifest", "FuzzManifest", ["RecurTrain"]),
    ]
    for t in fuzzTargets {
        package.targets.append(.executableTarget(
            name: t.name, dependencies: t.dependencies, path: "Fuzz/Sources/\(t.folder)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
