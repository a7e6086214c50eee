import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A small pool of PostgreSQL connections, one per process and server (`shared(for:)`),
/// whatever the number of studies, for synchronous callers: the runner's own threads block on
/// a query's future (`EventLoopFuture.wait`), never an event loop's thread, and the event
/// loops are NIO's process-wide singleton group (never started or shut down here).
///
/// `run` retries: a lost connection or a restarting server is waited for and reconnected with
/// backoff (0.1 s doubling to 2 s, for up to `reconnectFor` seconds), deadlocks and
/// serialisation failures (SQLSTATE 40P01, 40001) are retried up to 8 times with backoff;
/// other errors are thrown. The body must be one whole transaction (or one statement), so that
/// running it again is safe.
public final class PostgresPool: @unchecked Sendable {
    public let url: PostgresURL
    /// Connections open at most.
    public let capacity: Int
    /// How long a lost server is waited for before a call fails.
    public var reconnectFor: Double = 300
    let logger: Logger
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0

    nonisolated(unsafe) private static var pools: [PostgresURL: PostgresPool] = [:]
    private static let poolsLock = NSLock()

    /// The process's pool for `url`'s server, user and database.
    public static func shared(for url: PostgresURL) -> PostgresPool {
        poolsLock.withLock {
            if let pool = pools[url] { return pool }
            let pool = PostgresPool(url: url, capacity: 4)
            pools[url] = pool
            return pool
        }
    }

    init(url: PostgresURL, capacity: Int) {
        self.url = url
        self.capacity = capacity
        var logger = Logger(label: "recur.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// A session on one connection, for one transaction.
    public struct Session {
        let connection: PostgresConnection
        let logger: Logger

        /// How long a query's reply is waited for. A reply that has not come by then is taken as
        /// a lost connection (`ReplyTimeout`): the connection is closed and `run` tries again. A
        /// server restarted while a reply was in flight can leave the socket without an end the
        /// event loop sees, and the wait would otherwise never end (seen in `FleetTests`).
        public static let replyTimeout: TimeAmount = .seconds(30)

        /// Runs `query` and waits for all its rows (at most `replyTimeout`).
        /// - Throws: `ReplyTimeout` when no reply came in time; the query's own errors.
        @discardableResult
        public func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
            let future = connection.query(query, logger: logger)
            let promise = future.eventLoop.makePromise(of: PostgresQueryResult.self)
            let connection = self.connection
            let once = Once()
            // Both callbacks run on the future's event loop, so `once` is read and set there only.
            let timer = future.eventLoop.scheduleTask(in: Self.replyTimeout) {
                guard once.take() else { return }
                promise.fail(ReplyTimeout())
                let _: EventLoopFuture<Void> = connection.close()
            }
            future.whenComplete { result in
                timer.cancel()
                guard once.take() else { return }
                promise.completeWith(result)
            }
            return try promise.futureResult.wait()
        }

        /// Runs `body` between BEGIN and COMMIT (ROLLBACK when it throws).
        public func transaction<T>(_ body: () throws -> T) throws -> T {
            try query("BEGIN")
            do {
                let value = try body()
                try query("COMMIT")
                return value
            } catch {
                _ = try? query("ROLLBACK")
                throw error
            }
        }
    }

    /// Opens one connection now (or reuses an idle one) and fails at once when the server cannot
    /// be reached or refuses us: the check before any training.
    public func check() throws {
        let connection = try checkout()
        checkin(connection, broken: false)
    }

    /// One `SELECT 1` on a pooled connection: a round trip to the server (RecurBench's floor for
    /// a storage call).
    public func roundTrip() throws {
        try run { s in _ = try s.query("SELECT 1") }
    }

    /// Runs `body` on a connection, retrying as the type's doc says.
    public func run<T>(_ body: (Session) throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(reconnectFor)
        var delay = 0.1
        var conflicts = 0
        while true {
            let connection: PostgresConnection
            do {
                connection = try checkout()
            } catch let error as PostgresStoreError {
                guard Date() < deadline, !isRefusal(error) else { throw error }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
                continue
            }
            do {
                let value = try body(Session(connection: connection, logger: logger))
                checkin(connection, broken: false)
                return value
            } catch is ReplyTimeout where Date() < deadline {
                checkin(connection, broken: true)
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
                continue
            } catch let error as PSQLError {
                let state = error.serverInfo?[.sqlState]
                if state == "40001" || state == "40P01", conflicts < 8 {
                    conflicts += 1
                    checkin(connection, broken: false)
                    Thread.sleep(forTimeInterval: 0.01 * Double(1 << conflicts) * Double.random(in: 0.5...1.5))
                    continue
                }
                if Self.isConnectionLoss(error), Date() < deadline {
                    checkin(connection, broken: true)
                    Thread.sleep(forTimeInterval: delay)
                    delay = min(delay * 2, 2)
                    continue
                }
                checkin(connection, broken: connection.isClosed)
                throw PostgresStoreError.query(endpoint: url.endpoint, reason: Self.describe(error))
            } catch {
                checkin(connection, broken: connection.isClosed)
                throw error
            }
        }
    }

    /// Whether the server closed the connection or is shutting down or starting (retry later).
    static func isConnectionLoss(_ error: PSQLError) -> Bool {
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
        default: return false
        }
    }

    /// The server's message, or the client's error.
    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    /// Authentication and a missing database are not waited for.
    private func isRefusal(_ error: PostgresStoreError) -> Bool {
        if case let .cannotConnect(_, reason, _) = error { return reason.contains("SQLSTATE 28") || reason.contains("SQLSTATE 3D") }
        return true
    }

    private func checkout() throws -> PostgresConnection {
        condition.lock()
        while true {
            while let c = idle.popLast() {
                if !c.isClosed { condition.unlock(); return c }
                open -= 1
            }
            if open < capacity { break }
            condition.wait()
        }
        open += 1
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try connect(id: id)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkin(_ connection: PostgresConnection, broken: Bool) {
        condition.lock()
        if broken || connection.isClosed {
            open -= 1
            condition.unlock()
            let _: EventLoopFuture<Void> = connection.close()
        } else {
            idle.append(connection)
            condition.unlock()
        }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    private func connect(id: Int) throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.sslMode {
            case .disable: tls = .disable
            case .prefer, .require:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                let context = try NIOSSLContext(configuration: c)
                tls = url.sslMode == .require ? .require(context) : .prefer(context)
            case .verifyFull: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw PostgresStoreError.cannotConnect(endpoint: url.endpoint, reason: "TLS setup failed: \(error)", hint: "check sslmode")
        }
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                             database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        do {
            let connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                            id: id, logger: logger).wait()
            // A worker paused (or cut off) inside a transaction must not hold its row locks for
            // ever: the server ends such a session after 30 s, and the worker reconnects.
            _ = try connection.query("SET idle_in_transaction_session_timeout = 30000", logger: logger).wait()
            return connection
        } catch let error as PSQLError {
            var reason = Self.describe(error)
            let state = error.serverInfo?[.sqlState] ?? ""
            let hint: String
            if error.code == .sslUnsupported {
                reason = "the server does not offer TLS, and the URL asks for it (sslmode=\(url.sslMode.rawValue))"
                hint = "enable ssl on the server (ssl = on, a certificate), or drop sslmode=\(url.sslMode.rawValue) from the URL on a trusted network"
            } else if state == "28000", url.sslMode == .disable, reason.contains("no encryption") {
                hint = "the server takes encrypted connections only: add ?sslmode=require to the URL"
            } else if state.hasPrefix("28") || error.code == .authMechanismRequiresPassword || error.code == .saslError {
                hint = "check the user `\(url.user)` and its password (in the URL, PGPASSWORD or ~/.pgpass) and the server's pg_hba.conf"
            } else if state == "3D000" {
                hint = "create the database `\(url.database)` (createdb \(url.database)) or name another in the URL"
            } else {
                hint = "check that the server runs and listens on \(url.endpoint) (listen_addresses, port, firewall)"
            }
            throw PostgresStoreError.cannotConnect(endpoint: url.endpoint, reason: reason, hint: hint)
        } catch {
            throw PostgresStoreError.cannotConnect(endpoint: url.endpoint, reason: "\(error)",
                                                   hint: "check that the server runs and listens on \(url.endpoint) (listen_addresses, port, firewall)")
        }
    }
}

/// No reply to a query within `PostgresPool.Session.replyTimeout`: the connection is taken as lost.
public struct ReplyTimeout: Error, CustomStringConvertible {
    public var description: String {
        "no reply from the PostgreSQL server within \(PostgresPool.Session.replyTimeout.nanoseconds / 1_000_000_000) s (the connection is taken as lost)"
    }
}

/// A flag taken once: the first `take()` returns true. Used on one event loop only.
final class Once: @unchecked Sendable {
    private var taken = false
    func take() -> Bool {
        if taken { return false }
        taken = true
        return true
    }
}
