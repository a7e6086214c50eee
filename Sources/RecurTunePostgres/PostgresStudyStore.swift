import Foundation
import PostgresNIO
import RecurTrain
import RecurTune

/// A study in a PostgreSQL database shared by workers on any number of hosts (`StudyStore`,
/// the same semantics as the SQLite `StudyStorage`). Several studies share one database, told
/// apart by name. Times are the database server's clock (`clock_timestamp()`), so the hosts'
/// clocks never decide whether a worker is lost.
///
/// Schema (`PostgresStudySchema`, versioned in `recur_schema`): `recur_study` (one row per
/// study, its best trial and value), `recur_trial` (primary key `(study, number)`),
/// `recur_intermediate` (per-epoch values), `recur_queue` (enqueued trials), `recur_artifact`
/// (the best trial's package: zlib-compressed archive with its SHA-256).
///
/// Claims run in one transaction: lost trials are failed and their retries queued first
/// (`FOR UPDATE SKIP LOCKED`), then the study row is locked (`FOR UPDATE`) so that new numbers
/// and the budget are decided one worker at a time, the queue is read `FOR UPDATE SKIP LOCKED`
/// (retries first), and running trials count against `max_evals` (`StudyBudget`).
public final class PostgresStudyStore: StudyStore, @unchecked Sendable {
    public let url: PostgresURL
    /// The study's name in the database.
    public let name: String
    public var location: String { url.display }
    public var localFiles: StudyPaths? { nil }
    let pool: PostgresPool
    private let lock = NSLock()
    private var studyID: Int?
    /// Trials this process holds (its heartbeats cover these only: a claim whose commit reply
    /// was lost is never kept alive by mistake, and goes stale).
    private var held: [String: Set<Int>] = [:]
    /// The schema version of the database (a reader may read an older one as it is).
    let schema: Int
    /// The finished trials this process has read, for the sampler's view at each claim.
    let samplerCache = SamplerCache()

    /// Connects (failing at once when the server cannot be reached), and, with `create`,
    /// brings the schema up to date. A reader (`create` false) writes nothing.
    /// - Throws: `PostgresStoreError` (exit 2 for a bad URL, a refused or unreachable server).
    public init(url: PostgresURL, name: String, create: Bool) throws {
        self.url = url
        self.name = name
        pool = PostgresPool.shared(for: url)
        try pool.check()
        if create {
            try PostgresStudySchema.migrate(pool)
            schema = PostgresStudySchema.version
        } else {
            schema = try PostgresStudySchema.checkReadable(pool)
        }
    }

    /// The study names in the database with their trial counts, by name.
    public static func list(url: PostgresURL) throws -> [(name: String, trials: Int)] {
        let pool = PostgresPool.shared(for: url)
        try pool.check()
        guard try PostgresStudySchema.version(pool) != nil else { return [] }
        return try pool.run { s in
            try s.query("""
                SELECT s.name, (SELECT count(*) FROM recur_trial t WHERE t.study = s.id)::int8 FROM recur_study s ORDER BY s.name
                """).map { row in
                let (name, n) = try row.decode((String, Int).self)
                return (name: name, trials: n)
            }
        }
    }

    // MARK: The study

    func id() throws -> Int {
        if let id = lock.withLock({ studyID }) { return id }
        let found = try pool.run { s in
            try s.query("SELECT id FROM recur_study WHERE name = \(name)").first.map { try $0.decode(Int.self) }
        }
        guard let found else {
            throw PostgresStoreError.noStudy(url: location, name: name, known: (try? Self.list(url: url).map(\.name)) ?? [])
        }
        lock.withLock { studyID = found }
        return found
    }

    public func study() throws -> StudyRecord? {
        try pool.run { s in try Self.study(s, name: name, storage: location) }
    }

    /// The study `name` of the database shown as `storage`. - Throws: `TuneError.corrupt`.
    static func study(_ s: PostgresPool.Session, name: String, storage: String) throws -> StudyRecord? {
        guard let row = try s.query("""
            SELECT name, config_hash, config_json, objective, sampler, seed, max_evals, best_trial, best_test_metrics_json, created_at
            FROM recur_study WHERE name = \(name)
            """).first else { return nil }
        let (n, hash, json, objective, sampler, seed, maxEvals, bestTrial, metrics, created) =
            try row.decode((String, String, String, String, String, Int64, Int, Int?, String?, Double).self)
        return StudyRecord(name: n, configHash: hash, configJSON: json, objective: objective, sampler: sampler,
                           seed: UInt64(bitPattern: seed), maxEvals: maxEvals, bestPackage: StudyRecord.packageInDatabase,
                           bestTrial: bestTrial,
                           bestTestMetrics: try StoredValue.json(MetricSet.self, metrics, storage: "\(storage) (study \(name))", row: "the study",
                                                                 column: "best_test_metrics_json"),
                           created: created)
    }

    @discardableResult
    public func attach(_ study: StudyRecord) throws -> StudyRecord {
        let location = self.location
        let name = self.name
        let stored: StudyRecord = try pool.run { s in
            try s.transaction {
                // Two workers creating the study at once: one inserts, the other finds it.
                try s.query("""
                    INSERT INTO recur_study (name, config_hash, config_json, objective, sampler, seed, max_evals, created_at)
                    VALUES (\(name), \(study.configHash), \(study.configJSON), \(study.objective), \(study.sampler),
                            \(Int64(bitPattern: study.seed)), \(study.maxEvals), extract(epoch from clock_timestamp()))
                    ON CONFLICT (name) DO NOTHING
                    """)
                guard var stored = try Self.study(s, name: name, storage: location) else { throw TuneError.noStudy(path: location) }
                try StudyConfigKey.check(stored: stored, current: study, location: "\(location) (study \(name))")
                if stored.maxEvals != study.maxEvals {
                    try s.query("UPDATE recur_study SET max_evals = \(study.maxEvals) WHERE name = \(name)")
                    stored.maxEvals = study.maxEvals
                }
                return stored
            }
        }
        return stored
    }

    // MARK: Trials

    public func trials() throws -> [StoredTrial] {
        let id = try id()
        let schema = self.schema, storage = "\(location) (study \(name))"
        return try pool.run { s in try Self.trials(s, study: id, schema: schema, storage: storage) }
    }

    /// Every trial of the study `study`, by number, in a database of schema version `schema`
    /// (version 1 has no retry links: its trials read as first runs), each with its per-epoch
    /// values; only those with `change_xid >= changedAfter` when given (schema
    /// `PostgresStudySchema.changeCounterVersion` on). One query: a trial's values come as two
    /// arrays (epochs, values) from a LATERAL `array_agg`, so a 10,000-trial study is 10,000 rows,
    /// not 10,000 trial rows plus 100,000 value rows.
    /// - Throws: `TuneError.corrupt` naming `storage` (the study), the trial and the column.
    static func trials(_ s: PostgresPool.Session, study: Int, schema: Int, storage: String, changedAfter: Int? = nil) throws -> [StoredTrial] {
        let changed = changedAfter.map { " AND t.change_xid >= \($0)" } ?? ""  // a number: safe unescaped
        let retryColumns = schema >= 2 ? "t.retry_of, t.retries" : "NULL::int4, 0::int4"
        return try s.query("""
            SELECT t.number, t.state, t.params_json, t.value, t.started_at, t.finished_at, t.seconds, t.seed, t.error,
                   t.metrics_json, t.epochs, t.worker_pid, t.worker_host, t.worker_token,
                   extract(epoch from t.heartbeat_at)::float8, t.attempts, \(unescaped: retryColumns), i.epochs, i.vals
            FROM recur_trial t LEFT JOIN LATERAL (
                SELECT array_agg(epoch::int8 ORDER BY epoch) AS epochs, array_agg(value ORDER BY epoch) AS vals
                FROM recur_intermediate WHERE study = t.study AND trial = t.number) i ON true
            WHERE t.study = \(study)\(unescaped: changed) ORDER BY t.number
            """).map { row in
            let (number, state, params, value, started, finished, seconds, seed, error, metrics, epochs, pid, host, token, beat, attempts,
                 retryOf, retries, valueEpochs, values) =
                try row.decode((Int, String, String, Double?, Double, Double?, Double?, Int64, String?, String?, Int?, Int?, String?,
                                String?, Double?, Int, Int?, Int, [Int]?, [Double]?).self)
            let row = "trial \(number)"
            let record = TrialRecord(number: number, params: try StoredValue.params(params, storage: storage, row: row),
                                     state: try StoredValue.state(state, storage: storage, row: row),
                                     value: value, intermediate: Self.intermediate(valueEpochs, values))
            return StoredTrial(record: record, started: started, finished: finished, seconds: seconds, seed: UInt64(bitPattern: seed),
                               error: error,
                               metrics: try StoredValue.json(SplitMetrics.self, metrics, storage: storage, row: row, column: "metrics_json"),
                               epochs: epochs, workerPID: pid.map(Int32.init), workerHost: host, workerToken: token, heartbeat: beat,
                               attempts: attempts, retryOf: retryOf, retries: retries)
        }
    }

    public func claimTrial(maxEvals: Int, worker: WorkerIdentity, lease: TrialLease,
                           propose: ([TrialRecord], Int) throws -> (params: [String: SearchValue], seed: UInt64)) throws -> StudyClaim? {
        let id = try id()
        let storage = "\(location) (study \(name))"
        let claim: StudyClaim? = try pool.run { s in
            try s.transaction { () throws -> StudyClaim? in
                // Lost trials: their heartbeat (the server's clock) older than the grace period.
                // Each is failed (held by no one) and, within max_retries, its retry queued.
                let lost = try s.query("""
                    SELECT number, params_json, seed, retry_of, retries, attempts,
                           extract(epoch from clock_timestamp() - heartbeat_at)::float8
                    FROM recur_trial
                    WHERE study = \(id) AND state = 'running'
                      AND heartbeat_at < clock_timestamp() - make_interval(secs => \(lease.staleAfter))
                    ORDER BY number FOR UPDATE SKIP LOCKED
                    """)
                for row in lost {
                    let (number, params, seed, retryOf, chainRetries, attempts, silent) =
                        try row.decode((Int, String, Int64, Int?, Int, Int, Double).self)
                    // A trial of an earlier Recur re-run in place counts its extra attempts as retries.
                    let retries = chainRetries + max(0, attempts - 1)
                    try s.query("""
                        UPDATE recur_trial SET state = 'failed', value = NULL, heartbeat_at = NULL, worker_token = NULL,
                               finished_at = extract(epoch from clock_timestamp()),
                               seconds = extract(epoch from clock_timestamp()) - started_at,
                               error = \(TrialLease.lostReason(silent: silent, retries: retries, maxRetries: lease.maxRetries))
                        WHERE study = \(id) AND number = \(number)
                        """)
                    guard retries < lease.maxRetries else { continue }
                    try s.query("""
                        INSERT INTO recur_queue (study, params_json, seed, retry_of, retries)
                        VALUES (\(id), \(params), \(seed), \(retryOf ?? number), \(retries + 1))
                        """)
                }
                // New numbers and the budget: one worker at a time (the study row's lock).
                try s.query("SELECT id FROM recur_study WHERE id = \(id) FOR UPDATE")
                let counted = try s.query("""
                    SELECT count(*) FILTER (WHERE retry_of IS NULL)::int8, coalesce(max(number), -1)::int8 FROM recur_trial WHERE study = \(id)
                    """)
                let (spent, last) = try counted.first!.decode((Int, Int).self)
                let number = last + 1
                // Retries first: their chain already holds its place in the budget.
                let queued = try s.query("""
                    SELECT id, params_json, seed, retry_of, retries FROM recur_queue WHERE study = \(id)
                    ORDER BY retry_of IS NULL, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """).first.map { try $0.decode((Int, String, Int64, Int?, Int).self) }
                let retryOf = queued?.3
                guard retryOf != nil || spent < maxEvals else { return nil }
                var params: [String: SearchValue]
                var seed: UInt64
                var retries = 0
                if let (queueID, text, queuedSeed, _, queuedRetries) = queued {
                    try s.query("DELETE FROM recur_queue WHERE id = \(queueID)")
                    params = try StoredValue.params(text, storage: storage, row: "queued trial \(queueID)")
                    seed = UInt64(bitPattern: queuedSeed)
                    retries = queuedRetries
                } else {
                    (params, seed) = try propose(try samplerCache.records(s, study: id, storage: storage), number)
                }
                try s.query("""
                    INSERT INTO recur_trial (study, number, state, params_json, started_at, seed, worker_pid, worker_host,
                                             worker_token, heartbeat_at, retry_of, retries)
                    VALUES (\(id), \(number), 'running', \(ParamsJSON.encode(params)), extract(epoch from clock_timestamp()),
                            \(Int64(bitPattern: seed)), \(Int(worker.pid)), \(worker.host), \(worker.token), clock_timestamp(),
                            \(retryOf), \(retries))
                    """)
                return StudyClaim(number: number, params: params, seed: seed, retryOf: retryOf, retries: retries, wasQueued: queued != nil)
            }
        }
        if let claim { lock.withLock { _ = held[worker.token, default: []].insert(claim.number) } }
        return claim
    }

    public func reportIntermediate(number: Int, epoch: Int, value: Double, token: String) throws {
        guard value.isFinite else { return }
        let id = try id()
        // One statement (one round trip, one commit): the heartbeat, and the value only where
        // the heartbeat found the trial held by `token`.
        try pool.run { s in
            try s.query("""
                WITH held AS (
                    UPDATE recur_trial SET heartbeat_at = clock_timestamp()
                    WHERE study = \(id) AND number = \(number) AND state = 'running' AND worker_token = \(token) RETURNING number)
                INSERT INTO recur_intermediate (study, trial, epoch, value)
                SELECT \(id), number, \(epoch), \(value) FROM held
                ON CONFLICT (study, trial, epoch) DO UPDATE SET value = EXCLUDED.value
                """)
        }
    }

    public func heartbeat(token: String) throws {
        let numbers = Array(lock.withLock { held[token] ?? [] })
        guard !numbers.isEmpty else { return }
        let id = try id()
        try pool.run { s in
            try s.query("""
                UPDATE recur_trial SET heartbeat_at = clock_timestamp()
                WHERE study = \(id) AND state = 'running' AND worker_token = \(token) AND number = ANY(\(numbers))
                """)
        }
    }

    public func commit(_ result: TrialResult, token: String, best: BestCandidate?) throws -> CommitOutcome {
        let id = try id()
        defer { lock.withLock { _ = held[token]?.remove(result.number) } }
        // The package is archived before the transaction, and only when it may be the best.
        var artifact: StudyArtifact?
        if let best, result.state == .complete, let value = result.value, try mayBeBest(value: value, number: result.number, study: id) {
            do {
                artifact = try StudyArtifact.make { folder in try best.write(folder) }
            } catch {
                let reason = "cannot keep its package as the study's best: \(error)"
                let failed = TrialResult(number: result.number, state: .failed, value: nil, seconds: result.seconds, error: reason,
                                         metrics: result.metrics, epochs: result.epochs)
                return try commit(failed, token: token, best: nil) == .refused ? .refused : .packageFailed(reason: reason)
            }
        }
        let metricsJSON = result.metrics.flatMap(StoredValue.text)
        let testMetricsJSON = best?.testMetrics.flatMap(StoredValue.text)
        return try pool.run { s in
            try s.transaction { () throws -> CommitOutcome in
                guard let row = try s.query("""
                    SELECT state, worker_token FROM recur_trial WHERE study = \(id) AND number = \(result.number) FOR UPDATE
                    """).first else { return .refused }
                let (state, holder) = try row.decode((String, String?).self)
                guard holder == token else { return .refused }
                if state != TrialState.running.rawValue {
                    // This commit already went through (its reply was lost and it was retried).
                    let bestTrial = try s.query("SELECT best_trial FROM recur_study WHERE id = \(id)").first?.decode(Int?.self) ?? nil
                    return .recorded(newBest: bestTrial == result.number)
                }
                var newBest = false
                if let artifact, let value = result.value {
                    let row = try s.query("SELECT best_trial, best_value FROM recur_study WHERE id = \(id) FOR UPDATE").first!
                    let (bestTrial, bestValue) = try row.decode((Int?, Double?).self)
                    if Self.isBetter(value: value, number: result.number, than: bestValue, bestTrial) {
                        try s.query("""
                            INSERT INTO recur_artifact (study, trial, format, sha256, raw_size, data, stored_at)
                            VALUES (\(id), \(result.number), \(StudyArtifact.format), \(artifact.sha256), \(artifact.rawSize),
                                    \(ByteBuffer(bytes: artifact.compressed)), clock_timestamp())
                            ON CONFLICT (study) DO UPDATE SET trial = EXCLUDED.trial, format = EXCLUDED.format, sha256 = EXCLUDED.sha256,
                                raw_size = EXCLUDED.raw_size, data = EXCLUDED.data, stored_at = EXCLUDED.stored_at
                            """)
                        try s.query("""
                            UPDATE recur_study SET best_trial = \(result.number), best_value = \(value),
                                   best_test_metrics_json = \(testMetricsJSON) WHERE id = \(id)
                            """)
                        newBest = true
                    }
                }
                try s.query("""
                    UPDATE recur_trial SET state = \(result.state.rawValue), value = \(result.value),
                           finished_at = extract(epoch from clock_timestamp()), seconds = \(result.seconds), error = \(result.error),
                           metrics_json = \(metricsJSON), epochs = \(result.epochs), heartbeat_at = NULL
                    WHERE study = \(id) AND number = \(result.number)
                    """)
                return .recorded(newBest: newBest)
            }
        }
    }

    /// Lower value, then lower number, wins (as `StudyRunner.bestTrial`).
    static func isBetter(value: Double, number: Int, than bestValue: Double?, _ bestTrial: Int?) -> Bool {
        guard let bestValue, let bestTrial else { return true }
        return value < bestValue || (value == bestValue && number < bestTrial)
    }

    private func mayBeBest(value: Double, number: Int, study id: Int) throws -> Bool {
        try pool.run { s in
            let row = try s.query("SELECT best_trial, best_value FROM recur_study WHERE id = \(id)").first!
            let (bestTrial, bestValue) = try row.decode((Int?, Double?).self)
            return Self.isBetter(value: value, number: number, than: bestValue, bestTrial)
        }
    }

    @discardableResult
    public func enqueue(params: [String: SearchValue], seed: UInt64) throws -> Int {
        let id = try id()
        return try pool.run { s in
            try s.query("""
                INSERT INTO recur_queue (study, params_json, seed) VALUES (\(id), \(ParamsJSON.encode(params)), \(Int64(bitPattern: seed)))
                RETURNING id
                """).first!.decode(Int.self)
        }
    }

    public func runsElsewhere(token: String) throws -> Bool {
        let id = try id()
        return try pool.run { s in
            try s.query("""
                SELECT 1 FROM recur_trial WHERE study = \(id) AND state = 'running' AND worker_token IS DISTINCT FROM \(token) LIMIT 1
                """).first != nil
        }
    }

    public func queuedCount() throws -> Int {
        let id = try id()
        return try pool.run { s in try s.query("SELECT count(*)::int8 FROM recur_queue WHERE study = \(id)").first!.decode(Int.self) }
    }

    // MARK: The best package

    /// The stored best package (nil when none was stored), checked against its SHA-256.
    public func bestArtifact() throws -> (trial: Int, artifact: StudyArtifact)? {
        let id = try id()
        let row: (Int, String, Int, ByteBuffer)? = try pool.run { s in
            try s.query("SELECT trial, sha256, raw_size, data FROM recur_artifact WHERE study = \(id)").first
                .map { try $0.decode((Int, String, Int, ByteBuffer).self) }
        }
        guard let (trial, sha, size, data) = row else { return nil }
        return (trial, StudyArtifact(compressed: Array(data.readableBytesView), sha256: sha, rawSize: size))
    }
}
