import Foundation
import RecurTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One study runner's own scratch space and its proof of life, inside the study's
/// `.<stem>.running/` folder (`StudyPaths.scratch`), which any number of processes share:
///
///     .<stem>.running/<token>.lock   held (flock, exclusive) by the runner while it lives
///     .<stem>.running/<token>/       its trials' packages and checkpoints
///
/// The runner creates and locks its lock file before it makes its folder or claims a trial,
/// and removes its folder, then the lock file, when it ends; the shared folder is removed by
/// whoever leaves it empty. The kernel drops the lock when the process dies, however it dies,
/// so a free lock is proof that the runner is gone: `liveness(of:)` tells other runners whether
/// a running trial's worker is alive, and `sweep()` removes what dead runners left.
final class RunnerScratch: @unchecked Sendable {
    /// What is known of a runner from its lock file.
    enum Liveness: Equatable { case alive, dead, unknown }

    let root: String
    let token: String
    /// This runner's folder: `<root>/<token>`.
    let folder: String
    private var fd: Int32 = -1
    private var registrations: [Int] = []

    init(root: String, token: String) {
        self.root = root
        self.token = token
        folder = ConfigPaths.join(root, token)
    }

    static func lockPath(root: String, token: String) -> String { ConfigPaths.join(root, token + ".lock") }

    /// Creates and locks the lock file, then the folder.
    /// - Throws: `TuneError.storage` naming the folder.
    func acquire() throws {
        let lockPath = Self.lockPath(root: root, token: token)
        // Another runner may remove the shared folder (empty) between our mkdir and open, or
        // probe our new lock file before we lock it (and, finding it free, unlink it): retry
        // until the file at the path is ours and locked.
        for attempt in 0..<50 {
            do {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw TuneError.storage(path: root, reason: "cannot create the folder for running trials: \(error.localizedDescription)")
            }
            fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                if errno == ENOENT, attempt < 49 { continue }
                throw TuneError.storage(path: lockPath, reason: "cannot create the runner's lock file: \(String(cString: strerror(errno)))")
            }
            let locked = flock(fd, LOCK_EX | LOCK_NB) == 0
            let code = locked ? 0 : errno
            if locked, Self.isCurrent(fd, at: lockPath) { break }
            close(fd)
            fd = -1
            guard attempt < 49, code == 0 || code == EWOULDBLOCK else {
                throw TuneError.storage(path: lockPath, reason: "cannot lock the runner's lock file: \(String(cString: strerror(code)))")
            }
        }
        registrations.append(TemporaryPaths.register(lockPath))
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw TuneError.storage(path: folder, reason: "cannot create the folder for running trials: \(error.localizedDescription)")
        }
        registrations.append(TemporaryPaths.register(folder))
    }

    /// Whether `fd` is still the file at `path` (a sweeper may have unlinked it).
    static func isCurrent(_ fd: Int32, at path: String) -> Bool {
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// Removes the folder, then the lock file, then the shared folder when it is empty.
    func release() {
        guard fd >= 0 else { return }
        for r in registrations { TemporaryPaths.unregister(r) }
        registrations = []
        try? FileManager.default.removeItem(atPath: folder)
        unlink(Self.lockPath(root: root, token: token))
        close(fd)
        fd = -1
        _ = rmdir(root)
    }

    /// Drops the lock and nothing else, as a killed runner would (tests).
    func releaseLockOnly() {
        for r in registrations { TemporaryPaths.unregister(r) }
        registrations = []
        close(fd)
        fd = -1
    }

    /// Whether the runner `token` of the study whose scratch folder is `root` is alive: its lock
    /// file is held (alive) or free (dead); `.unknown` when there is no lock file (a study of an
    /// older Recur, or a runner that has ended).
    static func liveness(root: String, token: String) -> Liveness {
        let fd = open(lockPath(root: root, token: token), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return .unknown }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .dead
        }
        return errno == EWOULDBLOCK ? .alive : .unknown
    }

    /// Removes the folders and lock files of runners whose lock is free (dead), and folders
    /// without a lock file (their runner died while it ended).
    static func sweep(root: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root) else { return }
        let locks = Set(names.filter { $0.hasSuffix(".lock") }.map { String($0.dropLast(5)) })
        for token in locks {
            let path = lockPath(root: root, token: token)
            let fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                try? fm.removeItem(atPath: ConfigPaths.join(root, token))
                unlink(path)
            }
            close(fd)
        }
        for name in names where !name.hasSuffix(".lock") && !locks.contains(name) {
            // A folder is made after its lock file and removed before it: no lock, no owner.
            try? fm.removeItem(atPath: ConfigPaths.join(root, name))
        }
    }
}
