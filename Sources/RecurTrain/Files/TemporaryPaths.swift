import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files and folders this process is writing and would leave behind if it stopped now
/// (checkpoints, staging folders of packages, claimed package names, a study runner's scratch):
/// registered while they exist, removed by `removeAllAndStop()` when a signal stops the process
/// (`recur`'s signal handler), so SIGINT and SIGTERM leave nothing of them.
///
/// Writers of such files run their writes inside `writing { }` (a shared lock); the signal
/// handler takes the lock exclusively before it removes anything and never gives it back, so no
/// write is half done or lands after the removal.
public enum TemporaryPaths {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [Int: (path: String, onlyIfEmpty: Bool)] = [:]
    nonisolated(unsafe) private static var next = 0
    nonisolated(unsafe) private static let gate: UnsafeMutablePointer<pthread_rwlock_t> = {
        let gate = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        pthread_rwlock_init(gate, nil)
        return gate
    }()

    /// Registers `path` (a file or a folder, removed with everything in it; with `onlyIfEmpty`,
    /// a folder removed only while empty: a claimed name); returns the key `unregister` takes.
    @discardableResult
    public static func register(_ path: String, onlyIfEmpty: Bool = false) -> Int {
        lock.withLock {
            next += 1
            paths[next] = (path, onlyIfEmpty)
            return next
        }
    }

    /// Forgets a registration (the path was removed or became a result).
    public static func unregister(_ key: Int) {
        lock.withLock { _ = paths.removeValue(forKey: key) }
    }

    /// The registered paths, newest first.
    public static var registered: [String] {
        lock.withLock { paths.sorted { $0.key > $1.key }.map(\.value.path) }
    }

    /// Runs a write of registered files; a stopping signal waits for it to end.
    public static func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(gate)
        defer { pthread_rwlock_unlock(gate) }
        return try body()
    }

    /// Waits for the writes under way, then removes every registered path (newest first: a
    /// file inside a registered folder goes before the folder) and keeps every later write
    /// waiting for good: the caller exits next.
    public static func removeAllAndStop() {
        pthread_rwlock_wrlock(gate)
        let all: [(path: String, onlyIfEmpty: Bool)] = lock.withLock { paths.sorted { $0.key > $1.key }.map(\.value) }
        for entry in all {
            if entry.onlyIfEmpty {
                _ = rmdir(entry.path)
            } else {
                try? FileManager.default.removeItem(atPath: entry.path)
            }
        }
    }
}
