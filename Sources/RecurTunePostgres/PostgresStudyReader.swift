import Foundation
import PostgresNIO
import RecurTune

/// Reads one PostgreSQL study for watchers (the dashboard) without ever writing: each `read`
/// is one short `REPEATABLE READ READ ONLY` transaction (one consistent look, no row locks, so
/// workers never wait for it), on the process's `PostgresPool`. It never creates or migrates
/// the schema. The study schema (versions 1 and 2) has no change counter, so every read returns all
/// trials (`incremental` false, `change` nil), as the protocol allows; `?after=N` answers the
/// whole study until the schema gains one (see docs/dashboard.md).
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
                guard let study = try PostgresStudyStore.study(s, name: name, storage: url.display),
                      let id = try s.query("SELECT id FROM recur_study WHERE name = \(name)").first?.decode(Int.self) else {
                    let known = try s.query("SELECT name FROM recur_study ORDER BY name").map { try $0.decode(String.self) }
                    throw PostgresStoreError.noStudy(url: url.display, name: name, known: known)
                }
                let trials = try PostgresStudyStore.trials(s, study: id, schema: schema, storage: "\(url.display) (study \(name))")
                try s.query("COMMIT")
                var counts: [TrialState: Int] = [:]
                for t in trials { counts[t.record.state, default: 0] += 1 }
                let best = trials.filter { $0.record.state == .complete && $0.record.value != nil }
                    .min { ($0.record.value!, $0.record.number) < ($1.record.value!, $1.record.number) }
                    .map { (number: $0.record.number, value: $0.record.value!) }
                let last = trials.map { max($0.started, $0.finished ?? 0) }.max()
                return StudyReadout.make(study: study, trials: trials, change: nil, incremental: false, counts: counts, best: best,
                                    lastUpdate: last)
            } catch {
                _ = try? s.query("ROLLBACK")
                throw error
            }
        }
    }
}
