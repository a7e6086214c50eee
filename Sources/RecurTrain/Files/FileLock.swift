import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a small lock file, held while `body` runs: processes
/// that share a file (a forecast CSV, a study) serialise their read-merge-write steps with it.
/// The lock file is created when missing and left in place (removing a lock file others may
/// be waiting on would let two holders in); its contents are never used. The kernel releases
/// the lock when its holder dies, so a killed process never blocks the others.
public struct FileLock: Sendable {
    /// The lock file.
    public let path: String

    public init(path: String) { self.path = path }

    /// The lock file beside `file`: `<folder>/.<name>.lock`.
    public static func beside(_ file: String) -> FileLock {
        let url = URL(fileURLWithPath: file)
        return FileLock(path: url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".lock").path)
    }

    /// Why the lock could not be taken: the lock file and the system's reason.
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Runs `body` while holding the lock, waiting for another holder to finish.
    /// - Throws: `FileLock.Failure` when the lock file cannot be opened or locked; what
    ///   `body` throws.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                throw Failure(path: path, reason: "cannot lock the lock file: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
