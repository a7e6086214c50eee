import Foundation
import PostgresNIO
import RecurTune

/// The study tables in PostgreSQL and their migrations. `recur_schema(id = 1, version)` holds
/// the version applied; `migrate` applies the missing ones in one transaction under an advisory
/// lock, so workers started together never race. Each migration is a list of statements, and
/// versions only grow; a database of a newer version is refused, never changed.
///
/// Version 2 (the change counter, for readers that poll: the dashboard's `?after=N`) adds
/// `recur_trial.change_xid`: the transaction (`pg_current_xact_id()`, a 64-bit id that only
/// grows) that last changed the trial, kept by triggers, so every writer sets it: inserting a
/// trial; updating its state, parameters, value, times, error, metrics, epochs or attempts (not
/// a heartbeat alone); inserting, updating or deleting one of its intermediate values. Rows
/// older than the migration have 0. A transaction id rather than a sequence: a sequence's
/// numbers are handed out in the order transactions ask, not the order they commit, so a reader
/// could see number 11 committed while 10 is still to come and miss 10 for ever. A reader's
/// high-water mark is instead its snapshot's `xmin` (every transaction below it has ended, see
/// `PostgresStudyReader`); the trials changed since mark N are those with `change_xid >= N`.
public enum PostgresStudySchema {
    /// The schema version this Recur writes and reads.
    public static let version = 3
    /// The first version with `recur_trial.change_xid` and its triggers.
    public static let changeCounterVersion = 3
    static let advisoryLock = 7_372_001

    /// The columns whose update is a change of the trial (heartbeats and worker fields are not).
    static let changeColumns = ["state", "params_json", "value", "started_at", "finished_at", "seconds", "error", "metrics_json",
                                "epochs", "attempts"]
    /// The current transaction's id as a bigint (`xid8` has no cast to bigint of its own).
    static let currentTransaction = "pg_current_xact_id()::text::bigint"

    static let migrations: [[String]] = [
        // 1: studies, trials, per-epoch values, the queue, the best package.
        [
            """
            CREATE TABLE recur_study (
                id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, config_hash text NOT NULL, config_json text NOT NULL,
                objective text NOT NULL, sampler text NOT NULL, seed bigint NOT NULL, max_evals integer NOT NULL,
                best_trial integer, best_value double precision, best_test_metrics_json text, created_at double precision NOT NULL)
            """,
            """
            CREATE TABLE recur_trial (
                study bigint NOT NULL REFERENCES recur_study(id) ON DELETE CASCADE, number integer NOT NULL,
                state text NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
                params_json text NOT NULL, value double precision, started_at double precision NOT NULL,
                finished_at double precision, seconds double precision, seed bigint NOT NULL, error text, metrics_json text,
                epochs integer, worker_pid integer, worker_host text, worker_token text, heartbeat_at timestamptz,
                attempts integer NOT NULL DEFAULT 1, PRIMARY KEY (study, number))
            """,
            "CREATE INDEX recur_trial_running ON recur_trial (study, heartbeat_at) WHERE state = 'running'",
            """
            CREATE TABLE recur_intermediate (
                study bigint NOT NULL, trial integer NOT NULL, epoch integer NOT NULL, value double precision NOT NULL,
                PRIMARY KEY (study, trial, epoch),
                FOREIGN KEY (study, trial) REFERENCES recur_trial (study, number) ON DELETE CASCADE)
            """,
            """
            CREATE TABLE recur_queue (
                id bigserial PRIMARY KEY, study bigint NOT NULL REFERENCES recur_study(id) ON DELETE CASCADE,
                params_json text NOT NULL, seed bigint NOT NULL, enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            """
            CREATE TABLE recur_artifact (
                study bigint PRIMARY KEY REFERENCES recur_study(id) ON DELETE CASCADE, trial integer NOT NULL, format text NOT NULL,
                sha256 text NOT NULL, raw_size bigint NOT NULL, data bytea NOT NULL, stored_at timestamptz NOT NULL)
            """,
        ],
        // 2: a lost trial is failed and re-queued as a new trial linked to the chain's first.
        [
            "ALTER TABLE recur_trial ADD COLUMN retry_of integer, ADD COLUMN retries integer NOT NULL DEFAULT 0",
            "ALTER TABLE recur_queue ADD COLUMN retry_of integer, ADD COLUMN retries integer NOT NULL DEFAULT 0",
        ],
        // 3: the change counter (see the type's doc).
        [
            "ALTER TABLE recur_trial ADD COLUMN change_xid bigint NOT NULL DEFAULT 0",
            "CREATE INDEX recur_trial_change ON recur_trial (study, change_xid)",
            """
            CREATE FUNCTION recur_trial_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    NEW.change_xid := \(currentTransaction);
                ELSIF (\(changeColumns.map { "NEW.\($0)" }.joined(separator: ", ")))
                        IS DISTINCT FROM (\(changeColumns.map { "OLD.\($0)" }.joined(separator: ", "))) THEN
                    NEW.change_xid := \(currentTransaction);
                END IF;
                RETURN NEW;
            END
            $$
            """,
            "CREATE TRIGGER recur_trial_changed BEFORE INSERT OR UPDATE ON recur_trial FOR EACH ROW EXECUTE FUNCTION recur_trial_changed()",
            """
            CREATE FUNCTION recur_intermediate_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                changed_study bigint;
                changed_trial integer;
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    changed_study := OLD.study;
                    changed_trial := OLD.trial;
                ELSE
                    changed_study := NEW.study;
                    changed_trial := NEW.trial;
                END IF;
                UPDATE recur_trial SET change_xid = \(currentTransaction)
                WHERE study = changed_study AND number = changed_trial AND change_xid <> \(currentTransaction);
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER recur_intermediate_changed AFTER INSERT OR UPDATE OR DELETE ON recur_intermediate
            FOR EACH ROW EXECUTE FUNCTION recur_intermediate_changed()
            """,
        ],
    ]

    /// The version applied; nil when the database has no study tables.
    static func version(_ pool: PostgresPool) throws -> Int? {
        try pool.run { s in
            let table: String? = try s.query("SELECT to_regclass('recur_schema')::text").first?.decode(String?.self) ?? nil
            guard table != nil else { return nil }
            return try s.query("SELECT version FROM recur_schema WHERE id = 1").first?.decode(Int.self)
        }
    }

    /// Brings the schema up to `version`. - Throws: `PostgresStoreError.newerSchema`.
    static func migrate(_ pool: PostgresPool) throws {
        if let v = try version(pool), v == version { return }
        let endpoint = pool.url.endpoint
        try pool.run { s in
            try s.transaction {
                try s.query("SELECT pg_advisory_xact_lock(\(advisoryLock))")
                try s.query("CREATE TABLE IF NOT EXISTS recur_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)")
                let current = try s.query("SELECT version FROM recur_schema WHERE id = 1").first?.decode(Int.self) ?? 0
                guard current <= version else {
                    throw PostgresStoreError.newerSchema(endpoint: endpoint, found: current, supported: version)
                }
                for v in (current + 1)...max(version, current + 1) where v <= version {
                    for statement in migrations[v - 1] { try s.query(PostgresQuery(unsafeSQL: statement)) }
                }
                try s.query("""
                    INSERT INTO recur_schema (id, version) VALUES (1, \(version)) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version
                    """)
            }
        }
    }

    /// A reader's check: the tables exist, in a version this Recur reads (returned).
    @discardableResult
    static func checkReadable(_ pool: PostgresPool) throws -> Int {
        guard let v = try version(pool) else {
            throw TuneError.noStudy(path: "\(pool.url.display) (no Recur study tables in that database yet: `recur tune CONFIG --storage \(pool.url.display)` creates them)")
        }
        if v > version { throw PostgresStoreError.newerSchema(endpoint: pool.url.endpoint, found: v, supported: version) }
        return v
    }
}
