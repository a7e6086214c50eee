import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hidden files a process writes beside a destination while it works, named with its pid
/// so that the next run can tell whose they are: `.<name>.partial-<pid>` (a package being
/// written), `.<name>.old-<pid>` (a replaced package being removed), `.<name>.tmp-<pid>` (a
/// forecast file being written), `.<name>.checkpoint-<pid>.safetensors` (training's best
/// weights so far). A process killed with SIGKILL leaves them; `sweep` removes those whose
/// process is gone (no such pid on this host), never a live process's.
public enum OwnedLeftovers {
    /// The kinds of leftover, by the word before the pid.
    public enum Kind: String, CaseIterable, Sendable {
        case partial, old, tmp, checkpoint
    }

    /// `<folder>/.<name>.<kind>-<pid>` (`.safetensors` after a checkpoint's).
    public static func path(for destination: String, _ kind: Kind, pid: Int32 = getpid()) -> String {
        let url = URL(fileURLWithPath: destination)
        var name = "." + url.lastPathComponent + "." + kind.rawValue + "-\(pid)"
        if kind == .checkpoint { name += ".safetensors" }
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The pid in a leftover's file name, or nil when the name is not one of ours.
    public static func owner(ofName name: String) -> Int32? {
        guard name.hasPrefix(".") else { return nil }
        var stem = Substring(name)
        if stem.hasSuffix(".safetensors") { stem = stem.dropLast(".safetensors".count) }
        guard let dash = stem.lastIndex(of: "-"), let pid = Int32(stem[stem.index(after: dash)...]), pid > 0 else { return nil }
        let head = stem[..<dash]
        guard let dot = head.lastIndex(of: "."), dot > head.startIndex,
              let kind = Kind(rawValue: String(head[head.index(after: dot)...])) else { return nil }
        if (kind == .checkpoint) != name.hasSuffix(".safetensors") { return nil }
        return pid
    }

    /// Whether no process `pid` runs on this host (this process is alive).
    public static func isDead(_ pid: Int32) -> Bool {
        pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Removes the leftovers in `folder` whose process is gone; returns the names removed.
    @discardableResult
    public static func sweep(folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var removed: [String] = []
        for name in names.sorted() {
            guard let pid = owner(ofName: name), isDead(pid) else { continue }
            if (try? FileManager.default.removeItem(atPath: ConfigPaths.join(folder, name))) != nil { removed.append(name) }
        }
        return removed
    }
}
