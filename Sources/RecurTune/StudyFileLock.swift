import Foundation
import RecurTrain

/// The study's exclusive lock (`FileLock` on `<dir>/.<name>.study.lock`), which every process
/// holds while it creates or migrates the database, attaches its config, and commits a trial:
/// "is this trial the new best?", writing the best package and recording the trial happen as
/// one step across processes sharing the study (the threads of one process also hold
/// `StudyRunner`'s lock). Without it, two `recur tune` processes could each find their trial
/// best and the worse package could land last, or one could read a database the other is
/// still creating.
struct StudyFileLock {
    /// The lock file (created when missing; its contents are never used).
    let path: String

    /// Runs `body` while holding the lock, waiting for another holder to finish.
    /// - Throws: `TuneError.storage` when the lock file cannot be opened or locked; what
    ///   `body` throws.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        do {
            return try FileLock(path: path).withLock(body)
        } catch let failure as FileLock.Failure {
            throw TuneError.storage(path: failure.path, reason: "the study's lock: \(failure.reason)")
        }
    }
}
