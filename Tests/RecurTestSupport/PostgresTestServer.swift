import Foundation
import XCTest

/// A throw-away PostgreSQL server for tests, from the repo's own `scripts/pg-test-server.sh`
/// (a new cluster in a temp folder, on a free loopback port, as an unprivileged user; Debian's
/// `postgresql` installed when missing). Start one per test class (`class setUp`), stop it in
/// `class tearDown`. The script's output goes to files, never pipes: the server it starts
/// outlives the script and must not hold a pipe the test waits on.
public final class PostgresTestServer: @unchecked Sendable {
    /// The cluster's folder (the script's; removed by `stop`).
    public let folder: String
    public let host: String
    public let port: Int
    public let user: String
    public let database: String

    /// `postgresql://USER@HOST:PORT/DATABASE`.
    public var url: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-test-server.sh").path
    }

    /// Why a server could not be started, for `XCTSkip` (nil: it can).
    public private(set) nonisolated(unsafe) static var unavailable: String?

    private init(folder: String, env: [String: String]) {
        self.folder = folder
        host = env["PGHOST"] ?? "127.0.0.1"
        port = Int(env["PGPORT"] ?? "") ?? 5432
        user = env["PGUSER"] ?? "recur"
        database = env["PGDATABASE"] ?? "recur"
    }

    /// Whether the server takes TCP connections with TLS only (`start(ssl: true)`).
    public private(set) var ssl = false

    /// Starts a server; nil (with `unavailable` saying why) when PostgreSQL cannot be installed
    /// or started here. With `ssl`, TCP connections must use TLS (a throw-away self-signed
    /// certificate; `pg-test-server.sh start --ssl`).
    public static func start(ssl: Bool = false) -> PostgresTestServer? {
        let (status, out, err) = runScript(ssl ? ["start", "--ssl"] : ["start"])
        guard status == 0 else {
            unavailable = "PostgreSQL could not be installed or started by scripts/pg-test-server.sh (exit \(status)): \(err.suffix(600))"
            return nil
        }
        let folder = out.trimmingCharacters(in: .whitespacesAndNewlines)
        var env: [String: String] = [:]
        for line in ((try? String(contentsOfFile: folder + "/env", encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        let server = PostgresTestServer(folder: folder, env: env)
        server.ssl = env["PG_TEST_SSL"] == "1"
        return server
    }

    /// Restarts the server (same port and data): connections are cut.
    @discardableResult
    public func restart() -> Int32 { Self.runScript(["restart", folder]).status }

    /// Stops the server and removes its folder.
    public func stop() { _ = Self.runScript(["stop", folder]) }

    /// Runs the script with stdout and stderr in temp files; returns status and both texts.
    static func runScript(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("recur-pg-script-\(UUID().uuidString)")
        let out = base.appendingPathExtension("out"), err = base.appendingPathExtension("err")
        fm.createFile(atPath: out.path, contents: nil)
        fm.createFile(atPath: err.path, contents: nil)
        defer {
            try? fm.removeItem(at: out)
            try? fm.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.standardInput = FileHandle.nullDevice
        do {
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        } catch {
            return (127, "", "cannot run \(script): \(error)")
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

/// A test class with one throw-away PostgreSQL server for all its tests: started by the class's
/// `setUp`, stopped by its `tearDown` (each subclass in turn; XCTest runs classes one at a time).
/// `requireServer()` skips a test, saying why, where no server could be started.
open class PostgresTestCase: XCTestCase {
    /// The running server of the class now running; nil before, after, or where none started.
    nonisolated(unsafe) public static var server: PostgresTestServer?

    /// Whether the class's server takes TCP connections with TLS only (override to ask).
    open class var serverWithSSL: Bool { false }

    override open class func setUp() {
        super.setUp()
        server = PostgresTestServer.start(ssl: serverWithSSL)
    }

    override open class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    /// The class's server, or an `XCTSkip` saying why there is none.
    public func requireServer() throws -> PostgresTestServer {
        guard let server = Self.server else { throw XCTSkip(PostgresTestServer.unavailable ?? "no PostgreSQL server") }
        return server
    }
}
