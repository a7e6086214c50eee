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
/// Claims run in one transaction: lost trials first (`FOR UPDATE SKIP LOCKED`), then the
/// study row is locked (`FOR UPDATE`) so that new numbers and the budget are decided one
/// worker at a time, the queue is read `FOR UPDATE SKIP LOCKED`, and running trials count
/// against `max_evals`.
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
        } else {
            try PostgresStudySchema.checkReadable(pool)
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
        try pool.run { s in try Self.study(s, name: name) }
    }

    static func study(_ s: PostgresPool.Session, name: String) throws -> StudyRecord? {
        guard let row = try s.query("""
            SELECT name, config_hash, config_json, objective, sampler, seed, max_evals, best_trial, best_test_metrics_json, created_at
            FROM recur_study WHERE name = \(name)
            """).first else { return nil }
        let (n, hash, json, objective, sampler, seed, maxEvals, bestTrial, metrics, created) =
            try row.decode((String, String, String, String, String, Int64, Int, Int?, String?, Double).self)
        return StudyRecord(name: n, configHash: hash, configJSON: json, objective: objective, sampler: sampler,
                           seed: UInt64(bitPattern: seed), maxEvals: maxEvals, bestPackage: "in the database",
                           bestTrial: bestTrial,
                           bestTestMetrics: metrics.flatMap { try? JSONDecoder().decode(MetricSet.self, from: Data($0.utf8)) },
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
                guard var stored = try Self.study(s, name: name) else { throw TuneError.noStudy(path: location) }
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
        return try pool.run { s in try Self.trials(s, study: id) }
    }

    static func trials(_ s: PostgresPool.Session, study: Int) throws -> [StoredTrial] {
        try trialsInOneQuery(s, study: study)
    }

    public func claimTrial(maxEvals: Int, worker: WorkerIdentity, lease: TrialLease,
                           propose: ([TrialRecord], Int) throws -> (params: [String: SearchValue], seed: UInt64)) throws -> StudyClaim? {
        let id = try id()
        let claim: StudyClaim? = try pool.run { s in
            try s.transaction { () throws -> StudyClaim? in
                // A lost trial: its heartbeat (the server's clock) older than the grace period.
                let lost = try s.query("""
                    SELECT number, attempts, params_json, seed FROM recur_trial
                    WHERE study = \(id) AND state = 'running'
                      AND heartbeat_at < clock_timestamp() - make_interval(secs => \(lease.staleAfter))
                    ORDER BY number FOR UPDATE SKIP LOCKED
                    """)
                for row in lost {
                    let (number, attempts, params, seed) = try row.decode((Int, Int, String, Int64).self)
                    if attempts > lease.maxRetries {
                        try s.query("""
                            UPDATE recur_trial SET state = 'failed', value = NULL, heartbeat_at = NULL,
                                   finished_at = extract(epoch from clock_timestamp()),
                                   error = \(TrialLease.lostMessage(attempts: attempts, maxRetries: lease.maxRetries))
                            WHERE study = \(id) AND number = \(number)
                            """)
                        continue
                    }
                    try s.query("DELETE FROM recur_intermediate WHERE study = \(id) AND trial = \(number)")
                    try s.query("""
                        UPDATE recur_trial SET started_at = extract(epoch from clock_timestamp()), heartbeat_at = clock_timestamp(),
                               worker_pid = \(Int(worker.pid)), worker_host = \(worker.host), worker_token = \(worker.token),
                               attempts = attempts + 1, value = NULL
                        WHERE study = \(id) AND number = \(number)
                        """)
                    return StudyClaim(number: number, params: try ParamsJSON.decode(params), seed: UInt64(bitPattern: seed), isRerun: true)
                }
                // New numbers and the budget: one worker at a time (the study row's lock).
                try s.query("SELECT id FROM recur_study WHERE id = \(id) FOR UPDATE")
                let counted = try s.query("SELECT count(*)::int8, coalesce(max(number), -1)::int8 FROM recur_trial WHERE study = \(id)")
                let (count, last) = try counted.first!.decode((Int, Int).self)
                guard count < maxEvals else { return nil }
                let number = last + 1
                var params: [String: SearchValue]
                var seed: UInt64
                var queued = false
                if let row = try s.query("""
                    SELECT id, params_json, seed FROM recur_queue WHERE study = \(id) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """).first {
                    let (queueID, text, queuedSeed) = try row.decode((Int, String, Int64).self)
                    try s.query("DELETE FROM recur_queue WHERE id = \(queueID)")
                    params = try ParamsJSON.decode(text)
                    seed = UInt64(bitPattern: queuedSeed)
                    queued = true
                } else {
                    (params, seed) = try propose(try samplerCache.records(s, study: id), number)
                }
                try s.query("""
                    INSERT INTO recur_trial (study, number, state, params_json, started_at, seed, worker_pid, worker_host,
                                             worker_token, heartbeat_at)
                    VALUES (\(id), \(number), 'running', \(ParamsJSON.encode(params)), extract(epoch from clock_timestamp()),
                            \(Int64(bitPattern: seed)), \(Int(worker.pid)), \(worker.host), \(worker.token), clock_timestamp())
                    """)
                return StudyClaim(number: number, params: params, seed: seed, isRerun: false, wasQueued: queued)
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
        let metricsJSON = result.metrics.flatMap { m -> String? in
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return (try? e.encode(m)).map { String(decoding: $0, as: UTF8.self) }
        }
        let testMetricsJSON = best?.testMetrics.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
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
