import Foundation

/// A PostgreSQL connection URL, `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (also `postgres://`). The password comes from the URL, else `PGPASSWORD`, else `~/.pgpass`
/// (`PGPASSFILE`; lines `host:port:database:user:password`, `*` matching anything). sslmode
/// `disable` (default), `prefer` or `require` (TLS, the server's certificate not verified, as
/// libpq's `require`); `verify-full` verifies it against the system's roots.
public struct PostgresURL: Sendable, Equatable, Hashable {
    public enum SSLMode: String, Sendable, CaseIterable { case disable, prefer, require, verifyFull = "verify-full" }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    /// Whether `text` names a PostgreSQL database (not a file).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// `host:port`, for messages.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL without its password, for display and summaries.
    public var display: String {
        var s = "postgresql://\(user)@\(endpoint)/\(database)"
        if sslMode != .disable { s += "?sslmode=\(sslMode.rawValue)" }
        return s
    }

    /// Parses `text`. - Throws: `PostgresStoreError.badURL` saying what is wrong.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ why: String) -> PostgresStoreError { .badURL(url: Self.redacted(text), reason: why) }
        guard Self.isPostgres(text) else { throw bad("it does not start with postgresql://") }
        guard let components = URLComponents(string: text) else { throw bad("it is not a valid URL") }
        guard let host = components.host, !host.isEmpty else { throw bad("it names no host (postgresql://USER@HOST:PORT/DATABASE)") }
        self.host = host
        port = components.port ?? Int(environment["PGPORT"] ?? "") ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let user = components.user ?? environment["PGUSER"] ?? ""
        guard !user.isEmpty else { throw bad("it names no user (postgresql://USER@HOST:PORT/DATABASE, or set PGUSER)") }
        self.user = user
        database = path.isEmpty ? (environment["PGDATABASE"] ?? user) : path
        guard !database.contains("/") else { throw bad("the database name `\(database)` holds a slash") }
        sslMode = .disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: item.value ?? "") else {
                    throw bad("sslmode `\(item.value ?? "")` is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            default:
                throw bad("unknown parameter `\(item.name)` (only sslmode is read)")
            }
        }
        password = components.password ?? environment["PGPASSWORD"]
            ?? Self.pgpass(host: host, port: port, database: database, user: user, environment: environment)
    }

    /// `text` with any password replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "***"
        return c.string ?? text
    }

    static func pgpass(host: String, port: Int, database: String, user: String, environment: [String: String]) -> String? {
        let file = environment["PGPASSFILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            // Fields are separated by unescaped colons; `\:` and `\\` are literal.
            var fields: [String] = [], current = "", escaped = false
            for ch in line {
                if escaped { current.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ":" {
                    fields.append(current); current = ""
                } else { current.append(ch) }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0.0 == "*" || $0.0 == $0.1 }) { return fields[4] }
        }
        return nil
    }
}

/// What can go wrong reaching a PostgreSQL study.
public enum PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// The URL cannot be used (exit 2).
    case badURL(url: String, reason: String)
    /// The server cannot be reached or refuses us (exit 2 when it happens before training).
    case cannotConnect(endpoint: String, reason: String, hint: String)
    /// A query failed for good.
    case query(endpoint: String, reason: String)
    /// The database holds a newer schema than this Recur.
    case newerSchema(endpoint: String, found: Int, supported: Int)
    /// No study of that name in the database (`known`: the names it holds).
    case noStudy(url: String, name: String, known: [String])

    public var description: String {
        switch self {
        case let .badURL(url, reason):
            return "bad PostgreSQL URL \(url): \(reason); expected postgresql://USER@HOST:PORT/DATABASE[?sslmode=require] (password from PGPASSWORD or ~/.pgpass)"
        case let .cannotConnect(endpoint, reason, hint):
            return "cannot connect to PostgreSQL at \(endpoint): \(reason); \(hint)"
        case let .query(endpoint, reason):
            return "PostgreSQL at \(endpoint): \(reason)"
        case let .newerSchema(endpoint, found, supported):
            return "the study schema in PostgreSQL at \(endpoint) has version \(found), newer than this Recur reads (\(supported)); upgrade recur"
        case let .noStudy(url, name, known):
            return "no study `\(name)` in \(url)" + (known.isEmpty ? " (it holds none yet; `recur tune CONFIG --storage \(url) --study \(name)` creates it)"
                : "; it holds: \(known.joined(separator: ", ")) (--study NAME)")
        }
    }

    /// Bad input or setup (exit 2) rather than a failure during the run.
    public var isUsage: Bool {
        switch self {
        case .badURL, .cannotConnect, .newerSchema, .noStudy: return true
        case .query: return false
        }
    }
}
