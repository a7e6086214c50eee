import Foundation

/// Where forecasts are kept: a table `forecasts` written by idempotent upserts.
///
/// Key: (station, target, model, valid_at). Writing the same forecast twice leaves one row per
/// valid time; a forecast issued later replaces the row of an earlier issue (its value,
/// version, horizon step and intervals), and an earlier issue arriving late never replaces a
/// later one (`issued_at` decides; on a tie the last write wins). See docs/serving.md.
public protocol ForecastStore: Sendable {
    /// Upserts `rows` in one transaction.
    func write(_ rows: [StoredForecast]) throws
    /// Rows of `station` (all when nil) valid at or after `since` (ISO text; all when nil),
    /// ordered by station, target, model and valid time.
    func read(station: String?, since: String?) throws -> [StoredForecast]
}

/// Opens a store from its URL.
public enum ForecastStores {
    /// `sqlite:PATH` (an SQLite file, created with its folder if missing). `postgresql://…` is
    /// recognised and refused here (RecurStore has no PostgreSQL client): open it with
    /// RecurStorePostgres's `ForecastStoreURL.open`. A reader (`create` false) never creates a
    /// missing file.
    public static func open(url: String, create: Bool = true) throws -> any ForecastStore {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }  // sqlite:///abs/path
            guard !path.isEmpty else { throw StoreError.invalidURL(url) }
            return try SQLiteForecastStore(path: path, create: create)
        }
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            throw StoreError.unsupported(url: url, reason: "PostgreSQL stores are opened by RecurStorePostgres (ForecastStoreURL.open), not by RecurStore alone")
        }
        throw StoreError.invalidURL(url)
    }
}
