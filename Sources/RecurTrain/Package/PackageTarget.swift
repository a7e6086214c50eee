import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a training run will write its package, settled before the first epoch so that a bad
/// output path costs nothing and two runs never share a package.
///
/// - A path the user named (`--output`) must not be empty, nor an existing file or a folder
///   other than a model package (which is replaced), and its parent folder must be creatable and
///   writable; otherwise `TrainingError.badOutput` (exit 2).
/// - A default name `<folder>/<base>` is claimed by creating it as an empty folder, which only
///   one process can do; when it exists, `<base>-2`, `<base>-3`, ... are tried. The claim is
///   registered in `TemporaryPaths` (a signal removes it) and `release()` removes it when the
///   run fails; `ModelPackage.write(claimed: true)` renames the package over it.
///
/// Before returning, it sweeps the folder of leftovers of dead processes (`OwnedLeftovers`).
public final class PackageTarget: @unchecked Sendable {
    /// The package folder.
    public let path: String
    /// Whether `path` is an empty folder this run created to claim a default name.
    public let claimed: Bool
    private var registration: Int?

    private init(path: String, claimed: Bool) {
        self.path = path
        self.claimed = claimed
        if claimed { registration = TemporaryPaths.register(path, onlyIfEmpty: true) }
    }

    /// Where training keeps its best weights so far: `<folder>/.<name>.checkpoint-<pid>.safetensors`.
    public var checkpointPath: String { Self.checkpointPath(forPackage: path) }

    /// The checkpoint of the run whose package goes to `package` (this process's): the one
    /// place its name is made (`OwnedLeftovers`), for training, which writes it, and for the
    /// callers that clean up after a run (a study's failed trial).
    public static func checkpointPath(forPackage package: String) -> String { OwnedLeftovers.path(for: package, .checkpoint) }

    /// Checks a path the user named.
    /// - Throws: `TrainingError.badOutput`.
    public static func named(_ path: String, option: String = "--output") throws -> PackageTarget {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TrainingError.badOutput(path: path, reason: "\(option) is empty; name the package folder to write, e.g. \(option) runs/model")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            let isPackage = isDirectory.boolValue
                && fm.fileExists(atPath: (path as NSString).appendingPathComponent(ModelPackage.manifestFile))
            guard isPackage else {
                throw TrainingError.badOutput(path: path, reason: "exists and is not a model package (\(isDirectory.boolValue ? "a folder without \(ModelPackage.manifestFile)" : "a file")); choose another \(option) path or remove it")
            }
        }
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        try prepareFolder(parent, option: option)
        OwnedLeftovers.sweep(folder: parent)
        return PackageTarget(path: path, claimed: false)
    }

    /// Claims `<folder>/<base>`, or the first free `<base>-N` (N from 2).
    /// - Throws: `TrainingError.badOutput` when the folder cannot be created or written.
    public static func claim(folder: String, base: String) throws -> PackageTarget {
        try prepareFolder(folder, option: "output.directory")
        OwnedLeftovers.sweep(folder: folder)
        for n in 1...10_000 {
            let name = n == 1 ? base : "\(base)-\(n)"
            let candidate = ConfigPaths.join(folder, name)
            if mkdir(candidate, 0o755) == 0 { return PackageTarget(path: candidate, claimed: true) }
            let code = errno
            guard code == EEXIST else {
                throw TrainingError.badOutput(path: candidate, reason: "cannot create the package folder: \(String(cString: strerror(code)))")
            }
        }
        throw TrainingError.badOutput(path: ConfigPaths.join(folder, base), reason: "10000 packages of this name exist; choose a name with --output")
    }

    /// Creates `folder` (and its parents) and checks that it can be written.
    static func prepareFolder(_ folder: String, option: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw TrainingError.badOutput(path: folder, reason: "is a file, not a folder; the package cannot go inside it; choose another \(option)")
            }
        } else {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw TrainingError.badOutput(path: folder, reason: "cannot create the output folder (\((error as NSError).localizedFailureReason ?? error.localizedDescription)); choose another \(option)")
            }
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw TrainingError.badOutput(path: folder, reason: "the output folder is not writable (\(String(cString: strerror(errno)))); choose another \(option)")
        }
    }

    /// The package is written: the claim is the result now.
    public func settle() {
        if let r = registration { TemporaryPaths.unregister(r) }
        registration = nil
    }

    /// The run failed: removes the claimed folder while it is still empty.
    public func release() {
        guard let r = registration else { return }
        TemporaryPaths.unregister(r)
        registration = nil
        _ = rmdir(path)
    }
}
