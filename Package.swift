// swift-tools-version: 6.0
// Recur: recurrent neural networks for time-series forecasting, in Swift.
// Targets depend one way, bottom up: RecurTensor <- RecurNN <- (RecurTrain) <- recur.
// RecurData stands alone. See ARCHITECTURE.md.
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
    ],
    targets: [
        .target(name: "RecurKernels"),
        .target(name: "RecurTensor", dependencies: ["RecurKernels"], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "RecurNN", dependencies: ["RecurTensor", "RecurKernels"]),
        .target(name: "RecurData"),
        .target(name: "RecurTrain", dependencies: ["RecurNN", "RecurData"]),
        .target(name: "RecurTune", dependencies: ["RecurTrain", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(
            name: "recur",
            dependencies: [
                "RecurTensor", "RecurNN", "RecurData", "RecurTrain", "RecurTune",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "RecurBench", dependencies: ["RecurTensor", "RecurNN", "RecurData", "RecurTrain"]),
        .target(name: "RecurTestSupport", dependencies: ["RecurTensor"], path: "Tests/RecurTestSupport"),
        .testTarget(name: "RecurTensorTests", dependencies: ["RecurTensor", "RecurTestSupport"]),
        .testTarget(
            name: "RecurNNTests", dependencies: ["RecurNN", "RecurKernels", "RecurTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "RecurDataTests", dependencies: ["RecurData", "RecurTestSupport"]),
        .testTarget(name: "RecurTrainTests", dependencies: ["RecurTrain", "RecurTestSupport"]),
        .testTarget(name: "RecurTuneTests", dependencies: ["RecurTune", "RecurTestSupport"]),
        .testTarget(name: "RecurCLITests", dependencies: ["RecurTestSupport"]),
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
