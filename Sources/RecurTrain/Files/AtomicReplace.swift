import Foundation
import RecurPlatform
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts a finished folder at a path that may already hold an old one, so that a reader of the
/// path sees the old folder or the new one, never nothing: the two are swapped in one atomic
/// step (`renameat2(RENAME_EXCHANGE)` on Linux, `renamex_np(RENAME_SWAP)` on macOS), then the
/// old one, now at the staging path, is removed. Where the file system cannot swap (EINVAL,
/// ENOSYS, ENOTSUP: some network and FUSE file systems), it falls back on two renames (old
/// aside to `.<name>.old-<pid>`, new into place), between which the path is briefly empty.
public enum AtomicReplace {
    /// How the last `replace` went (tests look).
    public enum Method: Sendable, Equatable { case rename, exchange, twoRenames }

    /// Moves `staging` to `destination`. An existing `destination` must be a folder; it is
    /// replaced, and removed once swapped out. An empty folder at `destination` (a claimed
    /// name) is replaced by a plain rename, which is atomic.
    /// - Throws: `POSIXError`-style `NSError` from the failing call, naming the errno.
    @discardableResult
    public static func replace(_ destination: String, with staging: String) throws -> Method {
        if rename(staging, destination) == 0 { return .rename }
        let renameErrno = errno
        guard renameErrno == ENOTEMPTY || renameErrno == EEXIST else { throw failure("rename", renameErrno) }
        if recur_rename_exchange(staging, destination) == 0 {
            try? FileManager.default.removeItem(atPath: staging)  // now the old package
            return .exchange
        }
        let exchangeErrno = errno
        guard exchangeErrno == EINVAL || exchangeErrno == ENOSYS || exchangeErrno == ENOTSUP else {
            throw failure("renameat2", exchangeErrno)
        }
        let old = OwnedLeftovers.path(for: destination, .old)
        try? FileManager.default.removeItem(atPath: old)
        guard rename(destination, old) == 0 else { throw failure("rename", errno) }
        guard rename(staging, destination) == 0 else {
            let e = errno
            _ = rename(old, destination)
            throw failure("rename", e)
        }
        try? FileManager.default.removeItem(atPath: old)
        return .twoRenames
    }

    static func failure(_ call: String, _ code: Int32) -> NSError {
        NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(code)))"])
    }
}
