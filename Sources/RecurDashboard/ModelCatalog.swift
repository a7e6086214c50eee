import Foundation
import RecurTrain

/// The model packages of a models folder, by folder name, as the dashboard shows them. Every
/// look scans the folder (a listing and a few `stat`s) and reloads only the packages whose
/// files changed; hidden folders (`recur train`'s staging folders) and folders without a
/// manifest are skipped. Names are only looked up in the scanned set, never joined into a
/// path by the caller.
final class ModelCatalog: @unchecked Sendable {
    /// One package: its report (manifest and test predictions) or why it could not be read.
    struct Entry {
        var name: String
        var path: String
        var report: PackageReport?
        var error: String?
    }

    let directory: String
    private let lock = NSLock()
    private var cache: [String: (fingerprint: String, entry: Entry)] = [:]

    init(directory: String) {
        self.directory = directory
    }

    /// Every package now in the folder, by name.
    func all() -> [Entry] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var entries: [Entry] = []
        lock.lock()
        defer { lock.unlock() }
        var seen = Set<String>()
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let fingerprint = Self.fingerprint(path) else { continue }
            seen.insert(name)
            if let cached = cache[name], cached.fingerprint == fingerprint {
                entries.append(cached.entry)
                continue
            }
            var entry = Entry(name: name, path: path, report: nil, error: nil)
            do { entry.report = try PackageReport.load(path) } catch { entry.error = "\(error)" }
            cache[name] = (fingerprint, entry)
            entries.append(entry)
        }
        for name in cache.keys where !seen.contains(name) { cache[name] = nil }
        return entries
    }

    /// The package named `name`, if the folder holds one by that name now.
    func entry(_ name: String) -> Entry? { all().first { $0.name == name } }

    /// The package whose folder is `path` (after resolving links and `..`), if any.
    func entry(atPath path: String) -> Entry? {
        let wanted = Self.resolved(path)
        return all().first { Self.resolved($0.path) == wanted }
    }

    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Sizes and modification times of the package's files; nil without a manifest.
    static func fingerprint(_ path: String) -> String? {
        let fm = FileManager.default
        func stamp(_ file: String) -> String {
            let attributes = try? fm.attributesOfItem(atPath: (path as NSString).appendingPathComponent(file))
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(size)@\(time)"
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: (path as NSString).appendingPathComponent(ModelPackage.manifestFile), isDirectory: &isDirectory),
              !isDirectory.boolValue else { return nil }
        return [ModelPackage.manifestFile, ModelPackage.weightsFile, ModelPackage.testPredictionsFile].map(stamp).joined(separator: "|")
    }
}
