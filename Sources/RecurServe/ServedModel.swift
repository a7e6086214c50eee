import Foundation
import RecurData
import RecurStore
import RecurTrain

/// One loaded model package as served: its name (the folder's), the forecaster, its version
/// and what `/v1/models` says about it. Immutable once loaded; a changed package is a new
/// `ServedModel` swapped in whole. The model's forward pass keeps per-call state, so each of
/// the model's `replicas` (copies loaded from the same files, one per core by default) runs
/// one forecast at a time; more concurrent requests wait for a free replica.
public final class ServedModel: @unchecked Sendable {
    /// The folder name, the model's name in URLs.
    public let name: String
    /// The package folder.
    public let path: String
    public let manifest: PackageManifest
    /// `ModelVersion.of(package:)`.
    public let version: String
    /// Calibrated interval levels (`Intervals.calibratedLevels`).
    public let intervalLevels: [Double]
    /// What the package's files looked like when loaded (hot reload compares it).
    let fingerprint: PackageFingerprint
    private let replicas: [Forecaster]
    private var free: [Int]
    private let condition = NSCondition()

    /// Loads the package `replicas` times (at least once).
    init(name: String, path: String, fingerprint: PackageFingerprint, replicas: Int = ServedModel.defaultReplicas) throws {
        let package = try ModelPackage.load(path)
        var copies = [Forecaster(package: package)]
        for _ in 1..<max(1, replicas) { copies.append(Forecaster(package: try ModelPackage.load(path))) }
        self.name = name
        self.path = path
        self.manifest = package.manifest
        self.replicas = copies
        self.free = Array(copies.indices)
        self.version = ModelVersion.of(package: path)
        self.intervalLevels = Intervals.calibratedLevels(package.manifest)
        self.fingerprint = fingerprint
    }

    /// Runs the package's cleaning and model on the request's input (the code path of
    /// `recur predict`).
    func forecast(_ request: ForecastRequest) throws -> Forecast {
        condition.lock()
        while free.isEmpty { condition.wait() }
        let k = free.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            free.append(k)
            condition.signal()
            condition.unlock()
        }
        let forecaster = replicas[k]
        switch request.input {
        case let .observations(observations):
            return try forecaster.forecast(observations: observations, steps: request.steps, levels: request.levels)
        case let .csv(text):
            return try forecaster.forecast(csvText: text, steps: request.steps, name: "the CSV body", levels: request.levels)
        }
    }

    /// Replicas per model: the cores, at most 4.
    static var defaultReplicas: Int { min(4, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// The `/v1/models` entry; `detail` adds the architecture.
    func info(detail: Bool) -> ModelInfo {
        let data = manifest.data
        var baselines: [String: MetricSet] = [:]
        for (k, v) in manifest.baselines { if let t = v.test { baselines[k] = t } }
        return ModelInfo(name: name, target: data.source.target, features: data.source.features, station: data.source.station,
                         frequencySeconds: data.frequencySeconds, frequency: Timestamps.describeDuration(data.frequencySeconds),
                         nPastSteps: data.window.nPastSteps, horizon: data.window.horizon, strategy: data.window.strategy.rawValue,
                         intervals: intervalLevels, testMetrics: manifest.metrics.test, baselineTestMetrics: baselines,
                         createdAt: manifest.createdAt, formatVersion: manifest.formatVersion, version: version,
                         architecture: detail ? manifest.architecture : nil)
    }
}

/// What the API says about one served model (JSON keys snake_case).
struct ModelInfo: Encodable {
    var name: String
    var target: String
    var features: [String]
    var station: String?
    var frequencySeconds: Int64
    var frequency: String
    var nPastSteps: Int
    var horizon: Int
    var strategy: String
    /// Interval levels it can give.
    var intervals: [Double]
    var testMetrics: MetricSet?
    var baselineTestMetrics: [String: MetricSet]
    var createdAt: String
    var formatVersion: Int
    var version: String
    var architecture: ModelArchitecture?
}

/// The identity of a package's files: the folder's and the manifest's and weights' inode,
/// size and modification time. A package renamed into place, or rewritten, changes it.
struct PackageFingerprint: Equatable, Sendable {
    var parts: [String]

    /// Nil when the folder has no manifest (not a package, or one being written).
    static func of(_ path: String) -> PackageFingerprint? {
        let fm = FileManager.default
        func part(_ p: String) -> String? {
            guard let a = try? fm.attributesOfItem(atPath: p) else { return nil }
            let inode = (a[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
            let size = (a[.size] as? NSNumber)?.uint64Value ?? 0
            let mtime = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(inode):\(size):\(mtime)"
        }
        guard let dir = part(path), let manifest = part((path as NSString).appendingPathComponent("manifest.json")) else { return nil }
        let weights = part((path as NSString).appendingPathComponent("weights.safetensors")) ?? "-"
        return PackageFingerprint(parts: [dir, manifest, weights])
    }
}
