import Foundation
import GRDB
import RecurTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A study database: one SQLite file (WAL mode, through GRDB) holding one study, its trials and
/// their per-epoch values. Every state change is its own committed transaction, so a killed
/// process loses at most the trials it was running, which the next run detects, records failed
/// and retries (`StudyStore`).
///
/// Schema (version 2; migrations by GRDB's `DatabaseMigrator`, which also records them in
/// `grdb_migrations`):
///
///     study_meta(key TEXT PRIMARY KEY, value TEXT)      -- format = recur-study, schema_version = 2
///     study(id = 1, name, config_hash, config_json, objective, sampler, seed, max_evals,
///           best_package, best_trial, best_test_metrics_json, created_at)
///     trial(number PRIMARY KEY, state, params_json, value, started_at, finished_at, seconds,
///           seed, error, metrics_json, epochs, worker_pid, worker_host, worker_token,
///           heartbeat_at, attempts)
///     intermediate(trial, epoch, value, PRIMARY KEY (trial, epoch))
///     queued_trial(id, params_json, seed, enqueued_at, retry_of, retries)
///
/// Migration `retry` (version 2): `trial.retry_of` / `trial.retries` and the same on
/// `queued_trial` link a lost trial's retries to the chain's first trial (`StudyStore`). A
/// version-1 file is migrated when a worker opens it; readers read it as it is (no retries).
///
/// Migration `change_seq` (additive: readers and writers of schema 1 are unaffected) numbers
/// changes for readers that poll (the dashboard's `?after=N`): `trial_change_counter(id = 1,
/// seq)` counts every change to a trial and `trial.change_seq` holds the count at the trial's
/// latest change. Triggers keep both, so every writer bumps them (this one, an older Recur on a
/// migrated file, imports): inserting a trial; updating its state, parameters, value, times,
/// error, metrics, epochs or attempts (not a heartbeat alone); inserting, replacing or deleting
/// one of its intermediate values. See `StudyReader`.
///
/// Times are seconds since 1970 (REAL); seeds are stored as their 64-bit pattern.
public final class StudyStorage: StudyStore, Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool

    /// The schema version this Recur writes and reads.
    public static let schemaVersion = 2
    static let formatName = "recur-study"

    public var location: String { path }
    public var localFiles: StudyPaths? { StudyPaths(storage: path) }

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens the study database at `path`, creating it (and its folder) when `create` is true
    /// and it does not exist.
    /// - Throws: `TuneError.noStudy` (missing, `create` false), `.notAStudy` (not SQLite, or
    ///   SQLite holding something else), `.newerSchema`, `.storage`.
    ///
    /// A creating open holds the study's lock (`StudyFileLock`) while it creates and migrates
    /// the file, so that processes started together never see a half-made database.
    public static func open(path: String, create: Bool) throws -> StudyStorage {
        guard create else { return try openUnlocked(path: path, create: false) }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw TuneError.storage(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
            }
        }
        return try StudyFileLock(path: StudyPaths(storage: path).lock).withLock { try openUnlocked(path: path, create: true) }
    }

    private static func openUnlocked(path: String, create: Bool) throws -> StudyStorage {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { throw TuneError.notAStudy(path: path, reason: "it is a folder") }
        if !exists {
            guard create else { throw TuneError.noStudy(path: path) }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw TuneError.storage(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
                }
            }
        } else if let handle = FileHandle(forReadingAtPath: path) {
            // SQLite files start with this header; anything else (non-empty) is not ours.
            let head = handle.readData(ofLength: 16)
            try? handle.close()
            if !head.isEmpty, head != Data("SQLite format 3\0".utf8) {
                throw TuneError.notAStudy(path: path, reason: "it is not an SQLite database")
            }
        }
        if exists && !create { try refuseEmpty(path) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.foreignKeysEnabled = true
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TuneError.notAStudy(path: path, reason: "it is not an SQLite database")
        } catch {
            throw TuneError.storage(path: path, reason: "cannot open: \(error)")
        }
        let storage = StudyStorage(path: path, pool: pool)
        try storage.checkAndMigrate()
        return storage
    }

    /// A reader (`create` false) must not turn an empty file, or an SQLite database with no
    /// tables, into a study (opening the pool and migrating would write both): this looks
    /// through a read-only connection first and refuses such a file, leaving it untouched.
    private static func refuseEmpty(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 {
            throw TuneError.notAStudy(path: path, reason: "it is empty: no study has been written to it")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let tables: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            tables = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            }
            try queue.close()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TuneError.notAStudy(path: path, reason: "it is not an SQLite database")
        } catch {
            throw TuneError.storage(path: path, reason: "cannot open: \(error)")
        }
        if tables.isEmpty {
            throw TuneError.notAStudy(path: path, reason: "it is an SQLite database without tables: no study has been written to it")
        }
    }

    /// Checks that the file is empty or a study, then brings its schema up to date.
    private func checkAndMigrate() throws {
        try wrap {
            let (tables, meta): ([String], [String: String]) = try pool.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                var meta: [String: String] = [:]
                if tables.contains("study_meta") {
                    for row in try Row.fetchAll(db, sql: "SELECT key, value FROM study_meta") { meta[row["key"]] = row["value"] }
                }
                return (tables, meta)
            }
            if !tables.isEmpty {
                guard tables.contains("study_meta"), meta["format"] == Self.formatName else {
                    throw TuneError.notAStudy(path: path, reason: "it is an SQLite database without a Recur study (its tables: \(tables.sorted().joined(separator: ", ")))")
                }
                let version = Int(meta["schema_version"] ?? "") ?? 0
                if version > Self.schemaVersion {
                    throw TuneError.newerSchema(path: path, found: version, supported: Self.schemaVersion)
                }
            }
            try Self.migrator.migrate(pool)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE study_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                INSERT INTO study_meta (key, value) VALUES ('format', '\(formatName)'), ('schema_version', '1');
                CREATE TABLE study (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    name TEXT NOT NULL,
                    config_hash TEXT NOT NULL,
                    config_json TEXT NOT NULL,
                    objective TEXT NOT NULL,
                    sampler TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    max_evals INTEGER NOT NULL,
                    best_package TEXT NOT NULL,
                    best_trial INTEGER,
                    best_test_metrics_json TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE trial (
                    number INTEGER PRIMARY KEY NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
                    params_json TEXT NOT NULL,
                    value REAL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    seconds REAL,
                    seed INTEGER NOT NULL,
                    error TEXT,
                    metrics_json TEXT,
                    epochs INTEGER,
                    worker_pid INTEGER,
                    worker_host TEXT,
                    worker_token TEXT,
                    heartbeat_at REAL,
                    attempts INTEGER NOT NULL DEFAULT 1
                );
                CREATE INDEX trial_state ON trial(state);
                CREATE TABLE intermediate (
                    trial INTEGER NOT NULL REFERENCES trial(number) ON DELETE CASCADE,
                    epoch INTEGER NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (trial, epoch)
                );
                """)
        }
        m.registerMigration("change_seq") { db in try db.execute(sql: changeSequenceSQL) }
        m.registerMigration("queue") { db in
            // Trials queued by `recur study enqueue`, run before any new one (additive).
            try db.execute(sql: """
                CREATE TABLE queued_trial (id INTEGER PRIMARY KEY AUTOINCREMENT, params_json TEXT NOT NULL, seed INTEGER NOT NULL,
                                           enqueued_at REAL NOT NULL)
                """)
        }
        m.registerMigration("retry") { db in
            // Version 2: a lost trial is failed and re-queued as a new trial linked to the first.
            try db.execute(sql: """
                ALTER TABLE trial ADD COLUMN retry_of INTEGER;
                ALTER TABLE trial ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queued_trial ADD COLUMN retry_of INTEGER;
                ALTER TABLE queued_trial ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
                UPDATE study_meta SET value = '2' WHERE key = 'schema_version';
                """)
        }
        return m
    }

    /// The `change_seq` migration (see the type's doc).
    static let changeSequenceSQL: String = {
        func bump(_ trial: String) -> String {
            "UPDATE trial_change_counter SET seq = seq + 1 WHERE id = 1; "
                + "UPDATE trial SET change_seq = (SELECT seq FROM trial_change_counter WHERE id = 1) WHERE number = \(trial);"
        }
        return """
            CREATE TABLE trial_change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
            ALTER TABLE trial ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
            UPDATE trial SET change_seq = number + 1;
            INSERT INTO trial_change_counter (id, seq) VALUES (1, (SELECT COALESCE(MAX(number) + 1, 0) FROM trial));
            CREATE INDEX trial_change_seq ON trial(change_seq);
            CREATE TRIGGER trial_inserted AFTER INSERT ON trial BEGIN \(bump("NEW.number")) END;
            CREATE TRIGGER trial_updated AFTER UPDATE OF state, params_json, value, started_at, finished_at, seconds, error,
                metrics_json, epochs, attempts ON trial BEGIN \(bump("NEW.number")) END;
            CREATE TRIGGER intermediate_inserted AFTER INSERT ON intermediate BEGIN \(bump("NEW.trial")) END;
            CREATE TRIGGER intermediate_updated AFTER UPDATE ON intermediate BEGIN \(bump("NEW.trial")) END;
            CREATE TRIGGER intermediate_deleted AFTER DELETE ON intermediate BEGIN \(bump("OLD.trial")) END;
            """
    }()

    // MARK: The study

    /// The study row; nil in a new database.
    public func study() throws -> StudyRecord? {
        try wrap { try pool.read { db in try Self.study(db, path: path) } }
    }

    /// The study row of the file at `path`. - Throws: `TuneError.corrupt` (its stored JSON).
    static func study(_ db: Database, path: String) throws -> StudyRecord? {
        try StudyRow.fetchOne(db, key: 1)?.record(storage: path)
    }

    /// Creates the study, or checks that the stored one has the same config (hash) and records
    /// the new `max_evals`. Returns the study as stored.
    /// - Throws: `TuneError.differentConfig` naming the key paths that differ.
    @discardableResult
    public func attach(_ study: StudyRecord) throws -> StudyRecord {
        try wrap {
            try pool.write { db in
                if var stored = try Self.study(db, path: path) {
                    try StudyConfigKey.check(stored: stored, current: study, location: path)
                    stored.maxEvals = study.maxEvals
                    try db.execute(sql: "UPDATE study SET max_evals = ? WHERE id = 1", arguments: [study.maxEvals])
                    return stored
                }
                var row = StudyRow(study)
                row.bestTrial = nil
                try row.insert(db)
                return study
            }
        }
    }

    /// Records that the package at `bestPackage` now holds `trial`, with its test metrics.
    public func setBest(trial: Int, testMetrics: MetricSet?) throws {
        let json = testMetrics.flatMap(StoredValue.text)
        try wrap {
            try pool.write { db in
                try db.execute(sql: "UPDATE study SET best_trial = ?, best_test_metrics_json = ? WHERE id = 1", arguments: [trial, json])
            }
        }
    }

    // MARK: Trials

    /// Every trial, by number, with its per-epoch values.
    public func trials() throws -> [StoredTrial] {
        try wrap { try pool.read { db in try Self.trials(db, path: path) } }
    }

    static func trials(_ db: Database, path: String) throws -> [StoredTrial] { try trials(db, changedAfter: nil, path: path) }

    /// The trials whose `change_seq` is above `changedAfter` (every trial when nil), by number.
    /// - Throws: `TuneError.corrupt` naming the trial and column of a value that cannot be read.
    static func trials(_ db: Database, changedAfter: Int?, path: String) throws -> [StoredTrial] {
        var intermediate: [Int: [Int: Double]] = [:]
        let filter = changedAfter == nil ? "" : " WHERE change_seq > ?"
        let arguments: StatementArguments = changedAfter.map { [$0] } ?? []
        let intermediateSQL = changedAfter == nil ? "SELECT * FROM intermediate"
            : "SELECT * FROM intermediate WHERE trial IN (SELECT number FROM trial\(filter))"
        for row in try IntermediateRow.fetchAll(db, sql: intermediateSQL, arguments: arguments) {
            intermediate[row.trial, default: [:]][row.epoch] = row.value
        }
        return try TrialRow.fetchAll(db, sql: "SELECT * FROM trial\(filter) ORDER BY number", arguments: arguments).map { row in
            try row.trial(intermediate: intermediate[row.number] ?? [:], storage: path)
        }
    }

    /// A trial handed to a worker.
    public typealias Claim = StudyClaim

    /// `claimTrial` with a lease of `staleAfter` seconds and no limit on retries.
    public func claimTrial(maxEvals: Int, worker: WorkerIdentity, staleAfter: Double, scratch: String? = nil,
                           propose: ([TrialRecord], Int) throws -> (params: [String: SearchValue], seed: UInt64)) throws -> Claim? {
        try claimTrial(maxEvals: maxEvals, worker: worker, lease: TrialLease(staleAfter: staleAfter, maxRetries: Int.max, scratch: scratch),
                       propose: propose)
    }

    /// In one transaction (see `StudyStore`): fails each trial left running by a dead worker
    /// and queues its retry (within `lease.maxRetries`), then hands `worker` a queued retry, or,
    /// while fewer than `maxEvals` chains exist, a queued trial (`enqueue`) or a new one with the
    /// parameters `propose` returns (it sees every trial, running ones included), numbered after
    /// the last; nil when the budget is spent.
    ///
    /// `lease.scratch` is the study's folder of running trials (`StudyPaths.scratch`), where live
    /// runners hold their lock files (`RunnerScratch`): a worker whose lock is free is dead.
    public func claimTrial(maxEvals: Int, worker: WorkerIdentity, lease: TrialLease,
                           propose: ([TrialRecord], Int) throws -> (params: [String: SearchValue], seed: UInt64)) throws -> Claim? {
        try wrap {
            try pool.write { db -> Claim? in
                let now = Date().timeIntervalSince1970
                var all = try Self.trials(db, path: path)
                let lost = all.filter { $0.state == .running && worker.considersDead($0, now: now, staleAfter: lease.staleAfter, scratch: lease.scratch) }
                for trial in lost { try Self.failLost(db, trial, now: now, lease: lease) }
                if !lost.isEmpty { all = try Self.trials(db, path: path) }
                let number = (all.map(\.number).max() ?? -1) + 1
                // Retries first: their chain already holds its place in the budget.
                let queued = try QueuedTrialRow.fetchOne(db, sql: "SELECT * FROM queued_trial ORDER BY retry_of IS NULL, id LIMIT 1")
                let retryOf = queued?.retryOf
                guard retryOf != nil || StudyBudget.spent(all) < maxEvals else { return nil }
                var params: [String: SearchValue]
                var seed: UInt64
                if let queued {
                    try queued.delete(db)
                    params = try StoredValue.params(queued.paramsJSON, storage: path, row: "queued trial \(queued.id ?? 0)")
                    seed = UInt64(bitPattern: queued.seed)
                } else {
                    (params, seed) = try propose(all.map(\.record), number)
                }
                let retries = queued?.retries ?? 0
                try TrialRow(StoredTrial(record: TrialRecord(number: number, params: params, state: .running), started: now, seed: seed,
                                         workerPID: worker.pid, workerHost: worker.host, workerToken: worker.token, heartbeat: now,
                                         attempts: 1, retryOf: retryOf, retries: retries)).insert(db)
                return Claim(number: number, params: params, seed: seed, retryOf: retryOf, retries: retries, wasQueued: queued != nil)
            }
        }
    }

    /// Records a lost trial failed (held by no one, so its worker's late commit is refused) and
    /// queues its retry while its chain has fewer than `lease.maxRetries` retries. A trial of
    /// an earlier Recur re-run in place counts its extra attempts as retries.
    static func failLost(_ db: Database, _ trial: StoredTrial, now: Double, lease: TrialLease) throws {
        let silent = now - (trial.heartbeat ?? trial.started)
        let retries = trial.retries + max(0, trial.attempts - 1)
        let reason = TrialLease.lostReason(silent: silent, retries: retries, maxRetries: lease.maxRetries, processGone: silent <= lease.staleAfter)
        try db.execute(sql: """
            UPDATE trial SET state = 'failed', value = NULL, finished_at = ?, seconds = ?, heartbeat_at = NULL, worker_token = NULL, error = ?
            WHERE number = ?
            """, arguments: [now, now - trial.started, reason, trial.number])
        guard retries < lease.maxRetries else { return }
        var retry = QueuedTrialRow(id: nil, paramsJSON: ParamsJSON.encode(trial.params), seed: Int64(bitPattern: trial.seed), enqueuedAt: now,
                                   retryOf: trial.retryOf ?? trial.number, retries: retries + 1)
        try retry.insert(db)
    }

    @discardableResult
    public func enqueue(params: [String: SearchValue], seed: UInt64) throws -> Int {
        try wrap {
            try pool.write { db in
                var row = QueuedTrialRow(id: nil, paramsJSON: ParamsJSON.encode(params), seed: Int64(bitPattern: seed),
                                         enqueuedAt: Date().timeIntervalSince1970, retryOf: nil, retries: 0)
                try row.insert(db)
                return Int(row.id ?? db.lastInsertedRowID)
            }
        }
    }

    public func queuedCount() throws -> Int {
        try wrap { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queued_trial") ?? 0 } }
    }

    /// Under the study's file lock: refuses a trial this worker no longer holds; keeps a better
    /// complete trial's package at `localFiles.bestPackage` (written atomically before the trial
    /// is committed, so the study never names a package it does not have); finishes the trial.
    public func commit(_ result: TrialResult, token: String, best: BestCandidate?) throws -> CommitOutcome {
        let paths = StudyPaths(storage: path)
        return try StudyFileLock(path: paths.lock).withLock {
            let held = try wrap {
                try pool.read { db in
                    try Row.fetchOne(db, sql: "SELECT 1 FROM trial WHERE number = ? AND state = 'running' AND worker_token = ?",
                                     arguments: [result.number, token]) != nil
                }
            }
            guard held else { return .refused }
            var result = result
            var newBest = false
            var packageFailure: String?
            if let best, result.state == .complete, let value = result.value {
                let current = try wrap { try pool.read { db in try Self.bestComplete(db) } }
                if current.map({ value < $0.value }) ?? true {
                    do {
                        try best.write(paths.bestPackage)
                        try setBest(trial: result.number, testMetrics: best.testMetrics)
                        newBest = true
                    } catch {
                        let reason = "cannot keep its package as the study's best: \(error)"
                        packageFailure = reason
                        result = TrialResult(number: result.number, state: .failed, value: nil, seconds: result.seconds, error: reason,
                                             metrics: result.metrics, epochs: result.epochs)
                    }
                }
            }
            let recorded = try finish(number: result.number, token: token, state: result.state, value: result.value,
                                      seconds: result.seconds, error: result.error, metrics: result.metrics, epochs: result.epochs)
            if let packageFailure { return .packageFailed(reason: packageFailure) }
            return recorded ? .recorded(newBest: newBest) : .refused
        }
    }

    /// Inserts a trial as it is (tests simulate crashed workers with it; imports).
    public func insert(_ trial: StoredTrial) throws {
        try wrap {
            try pool.write { db in
                try TrialRow(trial).insert(db)
                for (epoch, value) in trial.record.intermediate {
                    try IntermediateRow(trial: trial.number, epoch: epoch, value: value).insert(db)
                }
            }
        }
    }

    /// Records a running trial's value at `epoch` (and its worker's heartbeat).
    public func reportIntermediate(number: Int, epoch: Int, value: Double, token: String) throws {
        guard value.isFinite else { return }
        try wrap {
            try pool.write { db in
                // Only the worker holding the trial records values (a late worker's are dropped).
                try db.execute(sql: """
                    INSERT OR REPLACE INTO intermediate (trial, epoch, value)
                    SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM trial WHERE number = ? AND state = 'running' AND worker_token = ?)
                    """, arguments: [number, epoch, value, number, token])
                try db.execute(sql: "UPDATE trial SET heartbeat_at = ? WHERE number = ? AND worker_token = ?",
                               arguments: [Date().timeIntervalSince1970, number, token])
            }
        }
    }

    /// Marks every running trial of the worker `token` alive now.
    public func heartbeat(token: String) throws {
        try wrap {
            try pool.write { db in
                try db.execute(sql: "UPDATE trial SET heartbeat_at = ? WHERE state = 'running' AND worker_token = ?",
                               arguments: [Date().timeIntervalSince1970, token])
            }
        }
    }

    /// Finishes a running trial held by `token`; returns false when another worker took it over.
    @discardableResult
    public func finish(number: Int, token: String, state: TrialState, value: Double?, seconds: Double, error: String? = nil,
                       metrics: SplitMetrics? = nil, epochs: Int? = nil) throws -> Bool {
        precondition(state != .running, "finish() takes a final state")
        return try wrap {
            try pool.write { db in
                try db.execute(sql: """
                    UPDATE trial SET state = ?, value = ?, finished_at = ?, seconds = ?, error = ?, metrics_json = ?, epochs = ?,
                                     heartbeat_at = NULL
                    WHERE number = ? AND state = 'running' AND worker_token = ?
                    """, arguments: [state.rawValue, value.flatMap { $0.isFinite ? $0 : nil }, Date().timeIntervalSince1970, seconds,
                                     error, metrics.flatMap(Self.json), epochs, number, token])
                return db.changesCount > 0
            }
        }
    }

    static func json<T: Encodable>(_ value: T) -> String? { StoredValue.text(value) }

    /// Runs `body`, turning GRDB's errors into `TuneError.storage` naming the file.
    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TuneError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TuneError.notAStudy(path: path, reason: "it is not an SQLite database")
        } catch let error as DatabaseError {
            throw TuneError.storage(path: path, reason: error.message ?? error.description)
        }
    }
}

/// Who runs a trial: a process (pid and host) and a runner inside it (token).
public struct WorkerIdentity: Sendable, Equatable {
    public var pid: Int32
    public var host: String
    public var token: String

    public init(pid: Int32, host: String, token: String) {
        self.pid = pid
        self.host = host
        self.token = token
    }

    /// This process, with a fresh token.
    public static func current() -> WorkerIdentity {
        WorkerIdentity(pid: getpid(), host: ProcessInfo.processInfo.hostName, token: UUID().uuidString)
    }

    /// Whether the worker of a running trial is gone. With `scratch` (the study's folder of
    /// running trials), the worker's lock file there decides when it exists: held, the worker
    /// is alive however old its heartbeat; free, it is dead (the kernel released it). Without
    /// a lock file: on this host, its process is dead (`kill(pid, 0)` fails with ESRCH), or it
    /// is this process but no live runner here holds its token; anywhere, its heartbeat is
    /// older than `staleAfter` seconds (live runners beat every few seconds).
    public func considersDead(_ trial: StoredTrial, now: Double, staleAfter: Double, scratch: String? = nil) -> Bool {
        if let scratch, let token = trial.workerToken {
            switch RunnerScratch.liveness(root: scratch, token: token) {
            case .alive: return false
            case .dead: return true
            case .unknown: break
            }
        }
        if let beat = trial.heartbeat ?? Optional(trial.started), now - beat > staleAfter { return true }
        guard trial.workerHost == host, let pid = trial.workerPID else { return false }
        if pid == self.pid {
            return !LiveWorkers.contains(trial.workerToken ?? "")
        }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// Tokens of the runners alive in this process.
public enum LiveWorkers {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var tokens: Set<String> = []

    public static func insert(_ token: String) { lock.withLock { _ = tokens.insert(token) } }
    public static func remove(_ token: String) { lock.withLock { _ = tokens.remove(token) } }
    public static func contains(_ token: String) -> Bool { lock.withLock { tokens.contains(token) } }
}
