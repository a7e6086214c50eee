import RecurStore
import RecurTunePostgres

/// Opens a forecast store from any URL this build knows: `postgresql://…` (or `postgres://`)
/// as a `PostgresForecastStore`, everything else through `ForecastStores.open` (`sqlite:PATH`).
/// The CLI and `recur serve` open `--store` here, so RecurStore itself stays free of NIO.
public enum ForecastStoreURL {
    /// - Throws: `StoreError`, or `PostgresStoreError` (a bad URL, an unreachable server:
    ///   both name what to fix, and host:port).
    public static func open(_ url: String, create: Bool = true) throws -> any ForecastStore {
        if PostgresURL.isPostgres(url) { return try PostgresForecastStore(url: try PostgresURL(url), create: create) }
        return try ForecastStores.open(url: url, create: create)
    }
}
