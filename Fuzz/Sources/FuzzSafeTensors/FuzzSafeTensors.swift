import Foundation
import RecurTensor

/// libFuzzer entry point: bytes through `SafeTensors.decode` (what loading a package's weights
/// reads), then the decoded file encoded and decoded again, which must give the same tensors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let file = try? SafeTensors.decode(bytes, path: "fuzz.safetensors") else { return 0 }
    guard let again = try? SafeTensors.decode(SafeTensors.encode(file)) else {
        fatalError("an encoded file does not decode")
    }
    guard again.names == file.names, again.metadata == file.metadata else { fatalError("names or metadata changed in a round trip") }
    for ((_, a), (_, b)) in zip(file.tensors, again.tensors) where a.shape != b.shape {
        fatalError("shape \(a.shape) became \(b.shape) in a round trip")
    }
    return 0
}
