import Foundation
import GRDB

/// The embedded forecast store: one SQLite file (WAL, through GRDB), safe for several
/// processes (`recur predict` and `recur serve`) writing at once (each upsert batch is one
/// transaction; writers wait up to 30 s for the lock).
///
/// Table (created if missing):
///
///     forecasts(station TEXT, target TEXT, model TEXT, model_version TEXT,
///               issued_at TEXT, valid_at TEXT, horizon_step INTEGER, value REAL,
///               [lower_NN REAL, upper_NN REAL for each interval level ever written],
///               PRIMARY KEY (station, target, model, valid_at))
///
/// Times are ISO 8601 UTC text (`ISOTime`), so they sort and compare as text.
public final class SQLiteForecastStore: ForecastStore {
    /// The database file.
    public let path: String
    let pool: DatabasePool

    static let baseColumns = ["station", "target", "model", "model_version", "issued_at", "valid_at", "horizon_step", "value"]

    /// Opens (or, when `create`, creates) the store file at `path`.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StoreError.notAStore(path: path, reason: "it is a folder") }
            if let handle = FileHandle(forReadingAtPath: path) {
                let head = handle.readData(ofLength: 16)
                try? handle.close()
                if !head.isEmpty, head != Data("SQLite format 3\0".utf8) {
                    throw StoreError.notAStore(path: path, reason: "it is not an SQLite database")
                }
            }
        } else {
            guard create else { throw StoreError.notAStore(path: path, reason: "it does not exist (no forecast has been stored there)") }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw StoreError.storage(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
                }
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS forecasts (
                        station TEXT NOT NULL, target TEXT NOT NULL, model TEXT NOT NULL, model_version TEXT NOT NULL,
                        issued_at TEXT NOT NULL, valid_at TEXT NOT NULL, horizon_step INTEGER NOT NULL, value REAL NOT NULL,
                        PRIMARY KEY (station, target, model, valid_at))
                    """)
            }
            let columns = try pool.read { db in try db.columns(in: "forecasts").map(\.name) }
            if let missing = Self.baseColumns.first(where: { !columns.contains($0) }) {
                throw StoreError.notAStore(path: path, reason: "its table forecasts has no column \(missing)")
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notAStore(path: path, reason: "it is not an SQLite database")
        } catch {
            throw StoreError.storage(path: path, reason: "cannot open: \(error)")
        }
    }

    public func write(_ rows: [StoredForecast]) throws {
        guard !rows.isEmpty else { return }
        do {
            try pool.write { db in
                // One column pair per interval level: add the pairs this batch brings.
                var intervalColumns = try db.columns(in: "forecasts").map(\.name).filter { !Self.baseColumns.contains($0) }
                for level in Set(rows.flatMap { $0.intervals.map(\.level) }).sorted() {
                    let (lower, upper) = IntervalBounds.columns(level)
                    for name in [lower, upper] where !intervalColumns.contains(name) {
                        try db.execute(sql: "ALTER TABLE forecasts ADD COLUMN \(name) REAL")
                        intervalColumns.append(name)
                    }
                }
                let all = Self.baseColumns + intervalColumns
                // Every interval column is set: a newer issue without a level clears the old bounds.
                let updates = all.filter { !["station", "target", "model", "valid_at"].contains($0) }
                    .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                let sql = """
                    INSERT INTO forecasts (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
                    ON CONFLICT (station, target, model, valid_at) DO UPDATE SET \(updates)
                    WHERE excluded.issued_at >= forecasts.issued_at
                    """
                let statement = try db.makeStatement(sql: sql)
                for row in rows {
                    var values: [(any DatabaseValueConvertible)?] = [row.station, row.target, row.model, row.modelVersion,
                                                                      row.issuedAt, row.validAt, row.horizonStep, row.value]
                    for name in intervalColumns {
                        let bound = row.intervals.first { b in
                            let c = IntervalBounds.columns(b.level)
                            return c.lower == name || c.upper == name
                        }
                        values.append(bound.map { IntervalBounds.columns($0.level).lower == name ? $0.lower : $0.upper })
                    }
                    try statement.execute(arguments: StatementArguments(values))
                }
            }
        } catch {
            throw StoreError.storage(path: path, reason: "cannot write: \(error)")
        }
    }

    public func read(station: String?, since: String?) throws -> [StoredForecast] {
        do {
            return try pool.read { db in
                let intervalColumns = try db.columns(in: "forecasts").map(\.name).filter { !Self.baseColumns.contains($0) }
                let levels = intervalColumns.compactMap { name -> Double? in
                    guard name.hasPrefix("lower_") else { return nil }
                    return Double(name.dropFirst("lower_".count).replacingOccurrences(of: "_", with: ".")).map { $0 / 100 }
                }
                var conditions: [String] = [], arguments: [(any DatabaseValueConvertible)?] = []
                if let station { conditions.append("station = ?"); arguments.append(station) }
                if let since { conditions.append("valid_at >= ?"); arguments.append(since) }
                let sql = "SELECT * FROM forecasts" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                    + " ORDER BY station, target, model, valid_at"
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    var bounds: [IntervalBounds] = []
                    for level in levels {
                        let (l, u) = IntervalBounds.columns(level)
                        if let lower: Double = row[l], let upper: Double = row[u] {
                            bounds.append(IntervalBounds(level: level, lower: lower, upper: upper))
                        }
                    }
                    return StoredForecast(station: row["station"], target: row["target"], model: row["model"],
                                          modelVersion: row["model_version"], issuedAt: row["issued_at"], validAt: row["valid_at"],
                                          horizonStep: row["horizon_step"], value: row["value"], intervals: bounds)
                }
            }
        } catch {
            throw StoreError.storage(path: path, reason: "cannot read: \(error)")
        }
    }
}
