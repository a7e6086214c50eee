import Foundation
import PostgresNIO
import RecurTune

/// Reads one PostgreSQL study for watchers (the dashboard) without ever writing: each `read`
/// is one short `REPEATABLE READ READ ONLY` transaction (one consistent look, no row locks, so
/// workers never wait for it), on the process's `PostgresPool`. It never creates or migrates
/// the schema.
///
/// Change marks (schema 3 on, `PostgresStudySchema.changeCounterVersion`): `change` is the
/// read's snapshot `xmin`, the oldest transaction still running when the snapshot was taken
/// (every older one had committed or rolled back, so the read saw all of their writes).
/// `read(changedAfter: N)` returns the trials whose `change_xid >= N`: every trial changed by a
/// transaction the read that answered N could not see, so none is ever missed; a trial changed
/// by a transaction that was running beside that read may come twice, which a watcher that
/// replaces trials by number never notices. On a database of an older version (not yet migrated by a
/// worker of this Recur) every read returns all trials (`incremental` false, `change` nil).
/// Counts, the best trial and the last update are the whole study's, from SQL aggregates, so
/// an incremental read costs the changed trials only (`recur_trial_change` index).
public final class PostgresStudyReader: StudyReading, @unchecked Sendable {
    /// `postgresql://USER@HOST:PORT/DATABASE (study NAME)`, without the password.
    public let storage: String
    public let url: PostgresURL
    /// The study's name in the database.
    public let name: String

    /// Connects nothing yet: the study may appear later.
    public init(url: PostgresURL, name: String) {
        self.url = url
        self.name = name
        storage = "\(url.display) (study \(name))"
    }

    /// - Throws: `TuneError.noStudy` (no study tables yet), `PostgresStoreError.noStudy` (no
    ///   study of that name), `.newerSchema`, `.cannotConnect`, `.query`.
    public func read(changedAfter: Int?) throws -> StudyReadout {
        let pool = PostgresPool.shared(for: url)
        let schema = try PostgresStudySchema.checkReadable(pool)
        let name = self.name, url = self.url
        return try pool.run { s -> StudyReadout in
            try s.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                // The first statement takes the snapshot: the mark and every row below are of it.
                let (version, mark) = try s.query("""
                    SELECT (SELECT version FROM recur_schema WHERE id = 1), pg_snapshot_xmin(pg_current_snapshot())::text::int8
                    """).first!.decode((Int?, Int).self)
                guard let study = try PostgresStudyStore.study(s, name: name, storage: url.display),
                      let id = try s.query("SELECT id FROM recur_study WHERE name = \(name)").first?.decode(Int.self) else {
                    let known = try s.query("SELECT name FROM recur_study ORDER BY name").map { try $0.decode(String.self) }
                    throw PostgresStoreError.noStudy(url: url.display, name: name, known: known)
                }
                let counting = (version ?? 0) >= PostgresStudySchema.changeCounterVersion
                let incremental = counting && changedAfter != nil
                let trials = try PostgresStudyStore.trials(s, study: id, schema: schema, storage: "\(url.display) (study \(name))", changedAfter: incremental ? changedAfter : nil)
                let figures = try s.query("""
                    SELECT count(*) FILTER (WHERE state = 'running')::int8, count(*) FILTER (WHERE state = 'complete')::int8,
                           count(*) FILTER (WHERE state = 'pruned')::int8, count(*) FILTER (WHERE state = 'failed')::int8,
                           max(greatest(started_at, coalesce(finished_at, 0)))
                    FROM recur_trial WHERE study = \(id)
                    """).first!
                let (running, complete, pruned, failed, last) = try figures.decode((Int, Int, Int, Int, Double?).self)
                let best = try s.query("""
                    SELECT number, value FROM recur_trial WHERE study = \(id) AND state = 'complete' AND value IS NOT NULL
                    ORDER BY value, number LIMIT 1
                    """).first.map { row -> (number: Int, value: Double) in
                    let (number, value) = try row.decode((Int, Double).self)
                    return (number, value)
                }
                try s.query("COMMIT")
                var counts: [TrialState: Int] = [:]
                for (state, n) in [(TrialState.running, running), (.complete, complete), (.pruned, pruned), (.failed, failed)] where n > 0 {
                    counts[state] = n
                }
                return StudyReadout.make(study: study, trials: trials, change: counting ? mark : nil, incremental: incremental,
                                         counts: counts, best: best, lastUpdate: last)
            } catch {
                _ = try? s.query("ROLLBACK")
                throw error
            }
        }
    }
}
