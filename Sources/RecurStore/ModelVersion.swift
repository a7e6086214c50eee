import Foundation

/// A model package's version as the store records it: FNV-1a (64 bit) over its
/// `manifest.json` and `weights.safetensors`, 16 hex digits. Two packages with the same
/// files have the same version; retraining (new weights or manifest) gives another.
public enum ModelVersion {
    /// The fingerprint of the package folder at `path`; "unknown" when a file cannot be read.
    public static func of(package path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in ["manifest.json", "weights.safetensors"] {
            guard let data = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(name)) else {
                return "unknown"
            }
            data.withUnsafeBytes { bytes in
                for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
