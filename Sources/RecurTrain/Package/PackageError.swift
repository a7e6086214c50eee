/// Errors reading or writing model packages.
public enum PackageError: Error, CustomStringConvertible {
    /// The path is not a Recur model package (no manifest, not a folder, wrong `format`).
    case notAPackage(path: String, reason: String)
    /// The package was written by a newer Recur (a format version this build does not know).
    case unsupportedVersion(path: String, found: Int, supported: Int)
    /// The package was written by an older Recur in a format this build no longer reads.
    case retiredVersion(path: String, found: Int, oldest: Int)
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
        case let .retiredVersion(path, found, oldest):
            return "\(path): package format version \(found) was written by an older recur; this one reads versions \(oldest) and later (the recorded config's form changed). Train the package again from its config (manifest.json's `config.source_file`) with `recur train CONFIG`."
        case let .corrupt(path, reason):
            return "\(path): damaged model package: \(reason). Train it again or restore it from a copy."
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
