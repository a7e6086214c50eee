import Foundation
import RecurTestSupport
import XCTest

/// `?sslmode=require` through the built `recur`: against a server that takes TCP connections
/// with TLS only (`pg-test-server.sh start --ssl`: a throw-away self-signed certificate, and
/// `hostnossl … reject`, so a connection that works there went over TLS), `recur tune` and
/// `recur study show` work, and the same URL without TLS is refused with exit 2 naming
/// host:port and saying to add sslmode=require.
final class TLSTests: PostgresTestCase {
    override class var serverWithSSL: Bool { true }

    var dir: URL!

    override func setUpWithError() throws {
        let server = try requireServer()
        XCTAssertTrue(server.ssl, "the class's server was started with --ssl")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func testTuneAndStudyShowWithSSLModeRequireGoOverTLS() throws {
        let server = try requireServer()
        let config = try TinyTuningConfig.write(in: dir, name: "tls", maxEvals: 2)
        let tls = server.url + "?sslmode=require"
        let tune = try ChildProcess.run(FleetTests.binary, ["tune", config, "--storage", tls, "--study", "tls", "--quiet"])
        XCTAssertEqual(tune.status, 0, tune.stderr)
        let show = try ChildProcess.run(FleetTests.binary, ["study", "show", tls, "--study", "tls", "--json"])
        XCTAssertEqual(show.status, 0, show.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], show.stdout)
        XCTAssertEqual(object["counts"] as? [String: Int], ["complete": 2, "pruned": 0, "failed": 0, "running": 0])
        let text = try ChildProcess.run(FleetTests.binary, ["study", "show", tls, "--study", "tls"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("complete"), text.stdout)

        // The same server without TLS refuses us: the commands above did use TLS.
        let plain = try ChildProcess.run(FleetTests.binary, ["study", "show", server.url, "--study", "tls"])
        XCTAssertEqual(plain.status, 2, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("\(server.host):\(server.port)"), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("sslmode=require"), plain.stderr)
        XCTAssertFalse(plain.stderr.contains("Fatal error"), plain.stderr)
    }
}

/// `sslmode=require` against a server without TLS: exit 2 before any training, naming
/// host:port and what to change, for `recur tune` and `recur study show`.
final class TLSRefusedTests: PostgresTestCase {
    func testSSLModeRequireAgainstAServerWithoutTLSIsExit2NamingHostAndPort() throws {
        let server = try requireServer()
        XCTAssertFalse(server.ssl)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-notls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try TinyTuningConfig.write(in: dir, name: "notls", maxEvals: 1)
        let tls = server.url + "?sslmode=require"
        let endpoint = "\(server.host):\(server.port)"
        let tune = try ChildProcess.run(FleetTests.binary, ["tune", config, "--storage", tls, "--study", "notls"])
        XCTAssertEqual(tune.status, 2, tune.stderr)
        XCTAssertTrue(tune.stderr.contains(endpoint), tune.stderr)
        XCTAssertTrue(tune.stderr.contains("does not offer TLS") && tune.stderr.contains("sslmode=require"), tune.stderr)
        XCTAssertFalse(tune.stderr.contains("trial"), "nothing trained: \(tune.stderr)")
        let show = try ChildProcess.run(FleetTests.binary, ["study", "show", tls, "--study", "notls"])
        XCTAssertEqual(show.status, 2, show.stderr)
        XCTAssertTrue(show.stderr.contains(endpoint) && show.stderr.contains("does not offer TLS"), show.stderr)
    }
}

/// A tiny tuning config (288 hourly samples, LSTM 4, 1 epoch, random sampler) and its data.
enum TinyTuningConfig {
    static func write(in dir: URL, name: String, maxEvals: Int) throws -> String {
        let series = dir.appendingPathComponent("\(name).csv")
        try SyntheticSeries.write(to: series)
        let text = """
        {"data": {"path": "\(series.path)", "date_column": "date", "hour_column": "hr", "target": "temp"},
         "window": {"n_past_steps": 4}, "model": {"layers": [{"type": "lstm", "units": 4}]},
         "training": {"epochs": 1, "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.01}},
         "output": {"directory": "\(dir.appendingPathComponent("runs").path)"},
         "search": {"max_evals": \(maxEvals), "sampler": "random", "heartbeat_seconds": 1,
                    "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}}}}
        """
        let file = dir.appendingPathComponent("\(name).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
