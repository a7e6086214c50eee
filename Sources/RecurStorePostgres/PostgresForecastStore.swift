import Foundation
import PostgresNIO
import RecurStore
import RecurTunePostgres

/// The forecast store in a PostgreSQL database, over the process's `PostgresPool` (the study
/// store's connection layer: URL, password, TLS, reconnect with backoff).
///
/// Table (created if missing, in the URL's database, default schema):
///
///     forecasts(station text, target text, model text, model_version text,
///               issued_at text, valid_at text, horizon_step integer, value double precision,
///               [lower_NN, upper_NN double precision for each interval level ever written],
///               PRIMARY KEY (station, target, model, valid_at))
///
/// the same columns, key and upsert as `SQLiteForecastStore`: times are ISO 8601 UTC text in
/// the "C" collation, so they compare as in SQLite (byte order), and a row is replaced only by
/// an issue at least as late (`issued_at`). The schema's version is in
/// `recur_forecast_schema(id = 1, version)` (`PostgresForecastSchema`).
public final class PostgresForecastStore: ForecastStore, @unchecked Sendable {
    /// The database, as the user gave it (without its password in messages).
    public let url: PostgresURL
    let pool: PostgresPool

    /// Connects now (failing at once, naming host:port, when the server cannot be reached) and
    /// creates or migrates the table when `create`; a reader (`create` false) refuses a database
    /// without one. - Throws: `PostgresStoreError`, `StoreError.notAStore`.
    public init(url: PostgresURL, create: Bool = true) throws {
        self.url = url
        pool = PostgresPool.shared(for: url)
        try pool.check()
        if create {
            try PostgresForecastSchema.migrate(pool)
        } else {
            guard let version = try PostgresForecastSchema.version(pool) else {
                throw StoreError.notAStore(path: url.display, reason: "it holds no forecasts table (no forecast has been stored there)")
            }
            if version > PostgresForecastSchema.version {
                throw StoreError.notAStore(path: url.display, reason: "its forecast schema has version \(version), newer than this Recur reads (\(PostgresForecastSchema.version)); upgrade recur")
            }
        }
    }

    static let baseColumns = ["station", "target", "model", "model_version", "issued_at", "valid_at", "horizon_step", "value"]
    static let keyColumns = ["station", "target", "model", "valid_at"]

    /// The interval columns the table has now.
    static func intervalColumns(_ s: PostgresPool.Session) throws -> [String] {
        var names: [String] = []
        for row in try s.query("""
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'forecasts' ORDER BY ordinal_position
            """) {
            let name = try row.decode(String.self)
            if !baseColumns.contains(name) { names.append(name) }
        }
        return names
    }

    public func write(_ rows: [StoredForecast]) throws {
        guard !rows.isEmpty else { return }
        let levels = Set(rows.flatMap { $0.intervals.map(\.level) }).sorted()
        try pool.run { s -> Void in
            try s.transaction { () throws -> Void in
                var intervalColumns = try Self.intervalColumns(s)
                let wanted = levels.flatMap { l -> [String] in let c = IntervalBounds.columns(l); return [c.lower, c.upper] }
                if wanted.contains(where: { !intervalColumns.contains($0) }) {
                    // Writers adding a level at once take turns (the lock ends with the transaction).
                    try s.query("SELECT pg_advisory_xact_lock(\(PostgresForecastSchema.advisoryLock))")
                    for name in wanted where !intervalColumns.contains(name) {
                        try s.query(PostgresQuery(unsafeSQL: "ALTER TABLE forecasts ADD COLUMN IF NOT EXISTS \(name) double precision"))
                        intervalColumns.append(name)
                    }
                }
                let all = Self.baseColumns + intervalColumns
                // Every interval column is set: a newer issue without a level clears the old bounds.
                let updates = all.filter { !Self.keyColumns.contains($0) }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
                let sql = """
                    INSERT INTO forecasts (\(all.joined(separator: ", "))) VALUES (\(all.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))
                    ON CONFLICT (\(Self.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updates)
                    WHERE EXCLUDED.issued_at >= forecasts.issued_at
                    """
                for row in rows {
                    var binds = PostgresBindings()
                    for text in [row.station, row.target, row.model, row.modelVersion, row.issuedAt, row.validAt] { try binds.append(text) }
                    try binds.append(row.horizonStep)
                    try binds.append(row.value)
                    for name in intervalColumns {
                        let bound = row.intervals.first { b in
                            let c = IntervalBounds.columns(b.level)
                            return c.lower == name || c.upper == name
                        }
                        if let bound { try binds.append(IntervalBounds.columns(bound.level).lower == name ? bound.lower : bound.upper) } else { binds.appendNull() }
                    }
                    try s.query(PostgresQuery(unsafeSQL: sql, binds: binds))
                }
            }
        }
    }

    public func read(station: String?, since: String?) throws -> [StoredForecast] {
        try pool.run { s -> [StoredForecast] in
            try s.transaction { () throws -> [StoredForecast] in
                let intervalColumns = try Self.intervalColumns(s)
                let levels = intervalColumns.compactMap { name -> Double? in
                    guard name.hasPrefix("lower_") else { return nil }
                    return Double(name.dropFirst("lower_".count).replacingOccurrences(of: "_", with: ".")).map { $0 / 100 }
                }
                var conditions: [String] = [], binds = PostgresBindings()
                if let station { try binds.append(station); conditions.append("station = $\(binds.count)") }
                if let since { try binds.append(since); conditions.append("valid_at >= $\(binds.count)") }
                let columns = (Self.baseColumns + intervalColumns).joined(separator: ", ")
                let sql = "SELECT \(columns) FROM forecasts" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                    + " ORDER BY station, target, model, valid_at"
                return try s.query(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row -> StoredForecast in
                    let r = row.makeRandomAccess()
                    var bounds: [IntervalBounds] = []
                    for level in levels {
                        let (l, u) = IntervalBounds.columns(level)
                        if let lower = try r[l].decode(Double?.self), let upper = try r[u].decode(Double?.self) {
                            bounds.append(IntervalBounds(level: level, lower: lower, upper: upper))
                        }
                    }
                    return StoredForecast(station: try r["station"].decode(String.self), target: try r["target"].decode(String.self),
                                          model: try r["model"].decode(String.self), modelVersion: try r["model_version"].decode(String.self),
                                          issuedAt: try r["issued_at"].decode(String.self), validAt: try r["valid_at"].decode(String.self),
                                          horizonStep: try r["horizon_step"].decode(Int.self), value: try r["value"].decode(Double.self),
                                          intervals: bounds)
                }
            }
        }
    }
}
