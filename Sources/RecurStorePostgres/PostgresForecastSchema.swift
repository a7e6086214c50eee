import Foundation
import PostgresNIO
import RecurStore
import RecurTunePostgres

/// The forecast store's tables in PostgreSQL and their migrations, apart from the study
/// schema (a database may hold either or both). `recur_forecast_schema(id = 1, version)` holds
/// the version applied; `migrate` applies the missing ones in one transaction under an advisory
/// lock; a database of a newer version is refused, never changed.
public enum PostgresForecastSchema {
    /// The schema version this Recur writes and reads.
    public static let version = 1
    static let advisoryLock = 7_372_101

    static let migrations: [[String]] = [
        // 1: the forecasts table (interval column pairs are added as levels are written).
        [
            """
            CREATE TABLE IF NOT EXISTS forecasts (
                station text COLLATE "C" NOT NULL, target text COLLATE "C" NOT NULL, model text COLLATE "C" NOT NULL,
                model_version text NOT NULL, issued_at text COLLATE "C" NOT NULL, valid_at text COLLATE "C" NOT NULL,
                horizon_step integer NOT NULL, value double precision NOT NULL,
                PRIMARY KEY (station, target, model, valid_at))
            """,
        ],
    ]

    /// The version applied; nil when the database has no forecast store.
    static func version(_ pool: PostgresPool) throws -> Int? {
        try pool.run { s -> Int? in
            let table: String? = try s.query("SELECT to_regclass('recur_forecast_schema')::text").first?.decode(String?.self) ?? nil
            guard table != nil else { return nil }
            return try s.query("SELECT version FROM recur_forecast_schema WHERE id = 1").first?.decode(Int.self)
        }
    }

    /// Brings the schema up to `version`. - Throws: `StoreError.notAStore` for a newer one.
    static func migrate(_ pool: PostgresPool) throws {
        if let v = try version(pool), v == version { return }
        let display = pool.url.display
        try pool.run { s -> Void in
            try s.transaction { () throws -> Void in
                try s.query("SELECT pg_advisory_xact_lock(\(advisoryLock))")
                try s.query("CREATE TABLE IF NOT EXISTS recur_forecast_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)")
                let current = try s.query("SELECT version FROM recur_forecast_schema WHERE id = 1").first?.decode(Int.self) ?? 0
                guard current <= version else {
                    throw StoreError.notAStore(path: display, reason: "its forecast schema has version \(current), newer than this Recur writes (\(version)); upgrade recur")
                }
                for v in (current + 1)..<(version + 1) {
                    for statement in migrations[v - 1] { try s.query(PostgresQuery(unsafeSQL: statement)) }
                }
                try s.query("""
                    INSERT INTO recur_forecast_schema (id, version) VALUES (1, \(version)) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version
                    """)
            }
        }
    }
}
