import Foundation
import RecurTrain

/// The study row of a study database: what the study searches and where its results go.
public struct StudyRecord: Equatable, Sendable {
    /// The study's name (its storage file's name without `.study.sqlite`).
    public var name: String
    /// `StudyConfigKey.hash` of the search-relevant config.
    public var configHash: String
    /// The search-relevant config, native JSON (`StudyConfigKey.json`).
    public var configJSON: String
    /// What is minimized: `val_loss` or `val_<metric>`.
    public var objective: String
    /// `tpe`, `random` or `grid`.
    public var sampler: String
    /// The sampler's seed.
    public var seed: UInt64
    /// `max_evals` of the latest run (raising it resumes the study).
    public var maxEvals: Int
    /// Where the best trial's model package is kept.
    /// What `bestPackage` holds for a study whose best package is kept in its database server
    /// (PostgreSQL: `recur study best URL --study NAME --export DIR` fetches it).
    public static let packageInDatabase = "in the database"
    public var bestPackage: String
    /// The trial whose package is at `bestPackage`, if one was written.
    public var bestTrial: Int?
    /// Test metrics of that package (the test part never chooses; reported for it only).
    public var bestTestMetrics: MetricSet?
    /// When the study was created (seconds since 1970).
    public var created: Double

    public init(name: String, configHash: String, configJSON: String, objective: String, sampler: String, seed: UInt64,
                maxEvals: Int, bestPackage: String, bestTrial: Int? = nil, bestTestMetrics: MetricSet? = nil,
                created: Double = Date().timeIntervalSince1970) {
        self.name = name
        self.configHash = configHash
        self.configJSON = configJSON
        self.objective = objective
        self.sampler = sampler
        self.seed = seed
        self.maxEvals = maxEvals
        self.bestPackage = bestPackage
        self.bestTrial = bestTrial
        self.bestTestMetrics = bestTestMetrics
        self.created = created
    }
}

/// The identity of a study's config: the resolved config without what may change between runs
/// of the same study (`search.max_evals`, `search.jobs`, `search.ensemble`, the output folder, the description).
public enum StudyConfigKey {
    /// The search-relevant config as canonical native JSON.
    public static func json(_ config: RecurConfig) -> String {
        var c = config
        c.search?.maxEvals = 1
        c.search?.jobs = 1
        // How workers lease trials is not part of what is searched: a fleet may change it.
        let defaults = SearchConfig()
        c.search?.heartbeatSeconds = defaults.heartbeatSeconds
        c.search?.maxRetries = defaults.maxRetries
        // The ensemble is trained after the search, from its best trial: it may change too.
        c.search?.ensemble = defaults.ensemble
        c.output = OutputConfig(directory: "")
        c.description = nil
        c.sourceFile = nil
        return c.nativeJSON()
    }

    /// FNV-1a (64-bit) of `json(config)`, as `fnv1a64:<16 hex digits>`: a change detector, not a
    /// security hash.
    public static func hash(_ config: RecurConfig) -> String { hash(json: json(config)) }

    static func hash(json: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in json.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return "fnv1a64:" + String(h, radix: 16).leftPadded(to: 16)
    }

    /// Checks that a stored study's search-relevant config is `current`'s: the same hash, or
    /// (a study written by an earlier Recur, whose echo had other keys or another order) the
    /// stored JSON read again by this Recur's schema gives `current`'s JSON.
    /// - Throws: `TuneError.differentConfig` at `location`, naming the key paths that differ.
    public static func check(stored: StudyRecord, current: StudyRecord, location: String) throws {
        guard stored.configHash != current.configHash else { return }
        if let again = try? RecurConfig.parse(stored.configJSON), json(again) == current.configJSON { return }
        var differences = differences(stored: stored.configJSON, current: current.configJSON)
        if differences.isEmpty { differences = ["config hash \(stored.configHash) in the study, \(current.configHash) now"] }
        throw TuneError.differentConfig(path: location, differences: differences)
    }

    /// Key paths whose values differ between two config JSON texts, as `path: stored → now`.
    public static func differences(stored: String, current: String) -> [String] {
        func flatten(_ text: String) -> [String: String] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return [:] }
            var out: [String: String] = [:]
            func walk(_ v: Any, _ path: String) {
                if let d = v as? [String: Any] {
                    for (k, x) in d { walk(x, path.isEmpty ? k : path + "." + k) }
                } else if let a = v as? [Any], !a.allSatisfy({ !($0 is [String: Any]) && !($0 is [Any]) }) {
                    for (i, x) in a.enumerated() { walk(x, "\(path)[\(i)]") }
                } else if let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .sortedKeys]) {
                    out[path] = String(decoding: data, as: UTF8.self)
                }
            }
            walk(object, "")
            return out
        }
        let a = flatten(stored), b = flatten(current)
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            a[k] == b[k] ? nil : "`\(k)`: \(a[k] ?? "absent") in the study, \(b[k] ?? "absent") now"
        }
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
