import Foundation
import GRDB

extension StudyStorage {
    /// Inserts trials as they are (imports, and the benchmark's large study) in one transaction,
    /// with one prepared statement per table (`insert(_:)` is one transaction per trial).
    /// - Throws: `TuneError.storage` (a number the study already has: nothing is inserted).
    public func insert(contentsOf trials: [StoredTrial]) throws {
        do {
            try pool.write { db in
                let trial = try db.makeStatement(sql: """
                    INSERT INTO trial (number, state, params_json, value, started_at, finished_at, seconds, seed, error, metrics_json,
                                       epochs, worker_pid, worker_host, worker_token, heartbeat_at, attempts, retry_of, retries)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let value = try db.makeStatement(sql: "INSERT INTO intermediate (trial, epoch, value) VALUES (?, ?, ?)")
                for t in trials {
                    try trial.execute(arguments: [t.number, t.state.rawValue, ParamsJSON.encode(t.params), t.value, t.started,
                                                  t.finished, t.seconds, Int64(bitPattern: t.seed), t.error,
                                                  t.metrics.flatMap(Self.json), t.epochs, t.workerPID, t.workerHost,
                                                  t.workerToken, t.heartbeat, t.attempts, t.retryOf, t.retries])
                    for (epoch, v) in t.record.intermediate.sorted(by: { $0.key < $1.key }) where v.isFinite {
                        try value.execute(arguments: [t.number, epoch, v])
                    }
                }
            }
        } catch let error as DatabaseError {
            throw TuneError.storage(path: path, reason: error.message ?? error.description)
        }
    }
}
