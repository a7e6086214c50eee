/// Errors reading or writing model packages.
public enum PackageError: Error, CustomStringConvertible {
    /// The path is not a Recur model package (no manifest, not a folder, wrong `format`).
    case notAPackage(path: String, reason: String)
    /// The package was written by a newer Recur (a format version this build does not know).
    case unsupportedVersion(path: String, found: Int, supported: Int)
    /// The manifest or weights are damaged or inconsistent.
    case corrupt(path: String, reason: String)
    /// The package could not be written or read.
    case io(path: String, reason: String)

    /// Whether this is the user's input (exit 2) rather than a failure of the tool (exit 1).
    public var isUsage: Bool {
        if case .io = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case let .notAPackage(path, reason):
            return "\(path) is not a Recur model package: \(reason). A package is the folder `recur train` writes (it holds manifest.json and weights.safetensors)."
        case let .unsupportedVersion(path, found, supported):
            return "\(path): package format version \(found) is newer than this recur understands (up to \(supported)); upgrade recur to read it"
        case let .corrupt(path, reason):
            return "\(path): damaged model package: \(reason). Train it again or restore it from a copy."
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
