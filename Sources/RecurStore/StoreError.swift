/// Errors of the forecast store, each one message naming the URL or file and what to do.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A `--store` URL of no known form.
    case invalidURL(String)
    /// A URL form this build knows but cannot open yet.
    case unsupported(url: String, reason: String)
    /// The file exists and is not an SQLite database, or holds a `forecasts` table of another shape.
    case notAStore(path: String, reason: String)
    /// The database could not be opened, read or written.
    case storage(path: String, reason: String)
    /// A `--since` bound that is not an ISO date or datetime.
    case invalidSince(String)

    /// Whether this is the user's input (exit 2) rather than a failure (exit 1).
    public var isUsage: Bool {
        switch self {
        case .storage: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case let .invalidURL(url):
            return "--store '\(url)' is not a store URL; expected sqlite:PATH (an SQLite file, created if missing) or postgresql://USER@HOST:PORT/DATABASE"
        case let .unsupported(url, reason):
            return "--store '\(url)': \(reason)"
        case let .notAStore(path, reason):
            return "\(path) is not a forecast store: \(reason); choose another file for --store"
        case let .storage(path, reason):
            return "forecast store \(path): \(reason)"
        case let .invalidSince(text):
            return "--since '\(text)' is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        }
    }
}
