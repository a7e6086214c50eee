import Foundation
import PostgresNIO
import RecurTrain
import RecurTune

extension PostgresStudyStore {
    /// Rows per INSERT statement of `insert(contentsOf:)` (19 parameters a trial row: well
    /// under PostgreSQL's 65,535 parameters a statement).
    static let importBatch = 500

    /// Inserts trials as they are (imports, and the benchmark's large study), in one
    /// transaction: one multi-row INSERT per `importBatch` trials and one per `importBatch`
    /// trials' intermediate values, never a statement per trial.
    /// - Throws: `PostgresStoreError` (a number the study already has: nothing is inserted).
    public func insert(contentsOf trials: [StoredTrial]) throws {
        let id = try id()
        try pool.run { s in
            try s.transaction {
                var start = 0
                while start < trials.count {
                    let batch = trials[start..<min(start + Self.importBatch, trials.count)]
                    try s.query(Self.insertTrialsQuery(batch, study: id))
                    if let values = Self.insertIntermediateQuery(batch, study: id) { try s.query(values) }
                    start += Self.importBatch
                }
            }
        }
    }

    static func insertTrialsQuery(_ trials: ArraySlice<StoredTrial>, study: Int) -> PostgresQuery {
        var binds = PostgresBindings(capacity: trials.count * 19)
        var rows: [String] = []
        rows.reserveCapacity(trials.count)
        for t in trials {
            let k = binds.count
            binds.append(study)
            binds.append(t.number)
            binds.append(t.state.rawValue)
            binds.append(ParamsJSON.encode(t.params))
            binds.append(t.value)
            binds.append(t.started)
            binds.append(t.finished)
            binds.append(t.seconds)
            binds.append(Int64(bitPattern: t.seed))
            binds.append(t.error)
            binds.append(t.metrics.flatMap(StoredValue.text))
            binds.append(t.epochs)
            binds.append(t.workerPID.map(Int.init))
            binds.append(t.workerHost)
            binds.append(t.workerToken)
            binds.append(t.heartbeat)
            binds.append(t.attempts)
            binds.append(t.retryOf)
            binds.append(t.retries)
            let p = (1...19).map { "$\(k + $0)" }
            rows.append("(\(p[0...14].joined(separator: ", ")), to_timestamp(\(p[15])::float8), \(p[16...18].joined(separator: ", ")))")
        }
        return PostgresQuery(unsafeSQL: """
            INSERT INTO recur_trial (study, number, state, params_json, value, started_at, finished_at, seconds, seed, error,
                                     metrics_json, epochs, worker_pid, worker_host, worker_token, heartbeat_at, attempts, retry_of, retries)
            VALUES \(rows.joined(separator: ", "))
            """, binds: binds)
    }

    static func insertIntermediateQuery(_ trials: ArraySlice<StoredTrial>, study: Int) -> PostgresQuery? {
        var trial: [Int] = [], epoch: [Int] = [], value: [Double] = []
        for t in trials {
            for (e, v) in t.record.intermediate.sorted(by: { $0.key < $1.key }) where v.isFinite {
                trial.append(t.number)
                epoch.append(e)
                value.append(v)
            }
        }
        guard !trial.isEmpty else { return nil }
        return """
            INSERT INTO recur_intermediate (study, trial, epoch, value)
            SELECT \(study), t, e, v FROM unnest(\(trial)::int8[], \(epoch)::int8[], \(value)::float8[]) AS u(t, e, v)
            """
    }
}
