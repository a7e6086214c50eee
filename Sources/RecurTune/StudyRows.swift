import Foundation
import GRDB
import RecurTrain

// The rows of an SQLite study file as GRDB records (`FetchableRecord`, `PersistableRecord`):
// one declaration per table, its columns by their names in `StudyStorage`'s schema. The JSON
// columns stay text here; `StoredValue` turns them into values, naming what cannot be read.

/// The `study` row (`id` = 1).
struct StudyRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "study"
    var id = 1
    var name: String
    var configHash: String
    var configJSON: String
    var objective: String
    var sampler: String
    /// The sampler's seed as its 64-bit pattern.
    var seed: Int64
    var maxEvals: Int
    var bestPackage: String
    var bestTrial: Int?
    var bestTestMetricsJSON: String?
    var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case id, name, objective, sampler, seed
        case configHash = "config_hash", configJSON = "config_json", maxEvals = "max_evals", bestPackage = "best_package"
        case bestTrial = "best_trial", bestTestMetricsJSON = "best_test_metrics_json", createdAt = "created_at"
    }

    init(_ study: StudyRecord) {
        name = study.name
        configHash = study.configHash
        configJSON = study.configJSON
        objective = study.objective
        sampler = study.sampler
        seed = Int64(bitPattern: study.seed)
        maxEvals = study.maxEvals
        bestPackage = study.bestPackage
        bestTrial = study.bestTrial
        bestTestMetricsJSON = nil
        createdAt = study.created
    }

    /// The study, its test metrics decoded. - Throws: `TuneError.corrupt` naming the column.
    func record(storage: String) throws -> StudyRecord {
        StudyRecord(name: name, configHash: configHash, configJSON: configJSON, objective: objective, sampler: sampler,
                    seed: UInt64(bitPattern: seed), maxEvals: maxEvals, bestPackage: bestPackage, bestTrial: bestTrial,
                    bestTestMetrics: try StoredValue.json(MetricSet.self, bestTestMetricsJSON, storage: storage, row: "the study",
                                                          column: "best_test_metrics_json"),
                    created: createdAt)
    }
}

/// A `trial` row (its per-epoch values are `IntermediateRow`s).
struct TrialRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "trial"
    var number: Int
    var state: String
    var paramsJSON: String
    var value: Double?
    var startedAt: Double
    var finishedAt: Double?
    var seconds: Double?
    /// The training seed as its 64-bit pattern.
    var seed: Int64
    var error: String?
    var metricsJSON: String?
    var epochs: Int?
    var workerPID: Int32?
    var workerHost: String?
    var workerToken: String?
    var heartbeatAt: Double?
    var attempts: Int
    /// Schema 2; absent (nil) in a version-1 file a reader reads as it is.
    var retryOf: Int?
    var retries: Int?

    enum CodingKeys: String, CodingKey {
        case number, state, value, seconds, seed, error, epochs, attempts, retries
        case paramsJSON = "params_json", startedAt = "started_at", finishedAt = "finished_at", metricsJSON = "metrics_json"
        case workerPID = "worker_pid", workerHost = "worker_host", workerToken = "worker_token", heartbeatAt = "heartbeat_at"
        case retryOf = "retry_of"
    }

    init(_ t: StoredTrial) {
        number = t.number
        state = t.state.rawValue
        paramsJSON = ParamsJSON.encode(t.params)
        value = t.value.flatMap { $0.isFinite ? $0 : nil }
        startedAt = t.started
        finishedAt = t.finished
        seconds = t.seconds
        seed = Int64(bitPattern: t.seed)
        error = t.error
        metricsJSON = t.metrics.flatMap(StudyStorage.json)
        epochs = t.epochs
        workerPID = t.workerPID
        workerHost = t.workerHost
        workerToken = t.workerToken
        heartbeatAt = t.heartbeat
        attempts = t.attempts
        retryOf = t.retryOf
        retries = t.retries
    }

    /// The trial with its per-epoch values. - Throws: `TuneError.corrupt` naming the trial
    /// and the column.
    func trial(intermediate: [Int: Double], storage: String) throws -> StoredTrial {
        let row = "trial \(number)"
        let record = TrialRecord(number: number, params: try StoredValue.params(paramsJSON, storage: storage, row: row),
                                 state: try StoredValue.state(state, storage: storage, row: row), value: value,
                                 intermediate: intermediate)
        return StoredTrial(record: record, started: startedAt, finished: finishedAt, seconds: seconds, seed: UInt64(bitPattern: seed),
                           error: error,
                           metrics: try StoredValue.json(SplitMetrics.self, metricsJSON, storage: storage, row: row, column: "metrics_json"),
                           epochs: epochs, workerPID: workerPID, workerHost: workerHost, workerToken: workerToken, heartbeat: heartbeatAt,
                           attempts: attempts, retryOf: retryOf, retries: retries ?? 0)
    }
}

/// An `intermediate` row: a trial's objective after one epoch.
struct IntermediateRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "intermediate"
    var trial: Int
    var epoch: Int
    var value: Double
}

/// A `queued_trial` row: a trial queued by `enqueue`, or a lost trial's retry.
struct QueuedTrialRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "queued_trial"
    var id: Int64?
    var paramsJSON: String
    /// The training seed as its 64-bit pattern.
    var seed: Int64
    var enqueuedAt: Double
    var retryOf: Int?
    var retries: Int

    enum CodingKeys: String, CodingKey {
        case id, seed, retries
        case paramsJSON = "params_json", enqueuedAt = "enqueued_at", retryOf = "retry_of"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
