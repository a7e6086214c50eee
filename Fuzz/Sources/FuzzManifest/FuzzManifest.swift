import Foundation
import RecurTrain

/// libFuzzer entry point: bytes as a package's `manifest.json` through `PackageManifest.decode`
/// (format, version, every field, the cross-checks of architecture, window and scaler), then
/// the network it describes built (what `recur predict` does before reading weights).
/// `scripts/fuzz.sh` sets RECUR_MAX_MODEL_MEMORY low so that large but valid models are refused
/// instead of filling the fuzzer's memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let manifest = try? PackageManifest.decode(bytes, path: "fuzz/manifest.json") else { return 0 }
    _ = try? manifest.architecture.build(seed: manifest.training.seed, initializeWeights: false)
    return 0
}
