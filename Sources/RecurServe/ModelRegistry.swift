import Foundation
import Logging

/// The set of served models, by folder name, kept in step with the models folder.
///
/// `scan()` compares every subfolder's `PackageFingerprint` with the loaded one: a new or
/// changed package is loaded off to the side and swapped in whole (requests already running
/// keep the version they started with); a package that fails to load is refused and logged
/// once per version while the previous version, if any, keeps serving; a folder that is gone
/// is no longer served. Hidden folders (`.name`, e.g. `recur train`'s staging folders) are
/// skipped. Names are only ever looked up in this set, never joined into a path.
public final class ModelRegistry: @unchecked Sendable {
    /// The models folder; nil when the server serves studies only (no `--models`).
    public let directory: String?
    let logger: Logger
    let metrics: ServerMetrics
    private let lock = NSLock()
    private var models: [String: ServedModel] = [:]
    /// The fingerprint of each package's last failed load (not retried until it changes).
    private var refused: [String: PackageFingerprint] = [:]
    /// Serialises scans (the watcher's and explicit ones).
    private let scanLock = NSLock()

    init(directory: String?, logger: Logger, metrics: ServerMetrics) {
        self.directory = directory
        self.logger = logger
        self.metrics = metrics
    }

    /// The model named `name`, if loaded.
    public func model(_ name: String) -> ServedModel? {
        lock.lock(); defer { lock.unlock() }
        return models[name]
    }

    /// All loaded models, by name.
    public var all: [ServedModel] {
        lock.lock(); defer { lock.unlock() }
        return models.values.sorted { $0.name < $1.name }
    }

    /// Brings the served set in step with the folder (see the type's doc).
    public func scan() {
        scanLock.lock(); defer { scanLock.unlock() }
        guard let directory else { return }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0), isDirectory: &d) && d.boolValue }
        var current: [String: ServedModel] = { lock.lock(); defer { lock.unlock() }; return models }()
        var changed = false
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let fingerprint = PackageFingerprint.of(path) else { continue }  // no manifest: not a package (yet)
            if current[name]?.fingerprint == fingerprint || refused[name] == fingerprint { continue }
            do {
                let model = try ServedModel(name: name, path: path, fingerprint: fingerprint)
                // Changed while it was read (a rename in progress): take it on the next scan.
                guard PackageFingerprint.of(path) == fingerprint else { continue }
                let replaced = current[name] != nil
                current[name] = model
                refused[name] = nil
                changed = true
                logger.info("model \(replaced ? "reloaded" : "loaded")", metadata: ["model": .string(name), "version": .string(model.version), "path": .string(path)])
            } catch {
                refused[name] = fingerprint
                metrics.reloadFailures.increment()
                logger.error("model package refused", metadata: [
                    "model": .string(name), "path": .string(path), "error": .string("\(error)"),
                    "serving": .string(current[name].map { "previous version \($0.version)" } ?? "nothing under this name"),
                ])
            }
        }
        for name in current.keys where !names.contains(name) {
            current[name] = nil
            refused[name] = nil
            changed = true
            logger.info("model removed", metadata: ["model": .string(name)])
        }
        for name in refused.keys where !names.contains(name) { refused[name] = nil }
        if changed {
            lock.lock()
            models = current
            lock.unlock()
        }
        metrics.modelsLoaded.set(Double(current.count))
    }
}
