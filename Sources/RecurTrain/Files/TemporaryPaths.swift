import Foundation

/// The files and folders this process is writing and would leave behind if it stopped now
/// (checkpoints, staging folders of packages, claimed package names, a study runner's scratch):
/// registered while they exist, removed by `removeAll()` when a signal stops the process
/// (`recur`'s signal handler), so SIGINT and SIGTERM leave nothing of them.
public enum TemporaryPaths {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [Int: String] = [:]
    nonisolated(unsafe) private static var next = 0

    /// Registers `path` (a file or a folder); returns the key that `unregister` takes.
    @discardableResult
    public static func register(_ path: String) -> Int {
        lock.withLock {
            next += 1
            paths[next] = path
            return next
        }
    }

    /// Forgets a registration (the path was removed or became a result).
    public static func unregister(_ key: Int) {
        lock.withLock { _ = paths.removeValue(forKey: key) }
    }

    /// The registered paths, newest first.
    public static var registered: [String] {
        lock.withLock { paths.sorted { $0.key > $1.key }.map(\.value) }
    }

    /// Removes every registered path (newest first: a file inside a registered folder goes
    /// before the folder) and forgets them. A claimed package name that became a package is
    /// unregistered before, so this never removes a result.
    public static func removeAll() {
        let all: [String] = lock.withLock {
            let all = paths.sorted { $0.key > $1.key }.map(\.value)
            paths = [:]
            return all
        }
        for path in all { try? FileManager.default.removeItem(atPath: path) }
    }
}
