import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (`flock`) on a small file beside a study, which every process
/// holds while it commits a trial: "is this trial the new best?", writing the best package and
/// recording the trial happen as one step across processes sharing the study (the threads of
/// one process also hold `StudyRunner`'s lock). Without it, two `recur tune` processes could
/// each find their trial best and the worse package could land last.
struct StudyFileLock {
    /// The lock file (created when missing; its contents are never used).
    let path: String

    /// Runs `body` while holding the lock, waiting for another holder to finish.
    /// - Throws: `TuneError.storage` when the lock file cannot be opened or locked; what
    ///   `body` throws.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TuneError.storage(path: path, reason: "cannot open the study's lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                throw TuneError.storage(path: path, reason: "cannot lock the study's lock file: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
