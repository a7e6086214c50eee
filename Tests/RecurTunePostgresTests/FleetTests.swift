import Foundation
import RecurTestSupport
import RecurTrain
import RecurTune
import RecurTunePostgres
import XCTest

/// `recur tune` worker processes on one PostgreSQL study (the built `recur` binary against a
/// real server from scripts/pg-test-server.sh): a fleet finishes exactly `max_evals` trials; a
/// worker killed mid-trial has its trial failed after the grace period and re-run as a retry
/// linked to it; a paused worker's late result is refused; a database restart mid-study loses
/// nothing. Tiny objectives (288 hourly
/// samples) and `heartbeat_seconds` 1, so a grace period is 3 s. Every child process writes
/// into files (never pipes) and is waited for with a bound; a test kills what it started.
final class FleetTests: PostgresTestCase {
    var dir: URL!
    var started: [Process] = []

    override func setUpWithError() throws {
        _ = try requireServer()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for p in started where p.isRunning {
            kill(p.processIdentifier, SIGCONT)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    var url: String { Self.server!.url }

    static var binary: URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("recur")
    }

    func writeConfig(name: String, maxEvals: Int, epochs: Int, units: Int = 4) throws -> String {
        let series = dir.appendingPathComponent("series.csv")
        try SyntheticSeries.write(to: series)
        let text = """
        {
          "data": {"path": "\(series.path)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 4},
          "model": {"layers": [{"type": "lstm", "units": \(units)}]},
          "training": {"epochs": \(epochs), "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.01}},
          "output": {"directory": "runs"},
          "search": {"max_evals": \(maxEvals), "sampler": "random", "heartbeat_seconds": 1, "max_retries": 2,
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}}}
        }
        """
        let file = dir.appendingPathComponent("\(name).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Starts `recur ARGS` with its output in files; returns the process and the stderr file.
    func start(_ arguments: [String], tag: String) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardInput = FileHandle.nullDevice
        let out = dir.appendingPathComponent("\(tag).out"), err = dir.appendingPathComponent("\(tag).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        started.append(process)
        return (process, err)
    }

    /// Waits for `process` at most `seconds` (then kills it and fails).
    func wait(_ process: Process, _ seconds: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            XCTFail("\(what) still running after \(seconds) s: killed", file: file, line: line)
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Polls until `condition` holds (at most `seconds`).
    func until(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting for \(what)")
    }

    func store(_ name: String) throws -> PostgresStudyStore {
        try PostgresStudyStore(url: try PostgresURL(url), name: name, create: false)
    }

    func counts(_ name: String) throws -> [String: Int] {
        let r = try ChildProcess.run(Self.binary, ["study", "show", url, "--study", name, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        return object["counts"] as? [String: Int] ?? [:]
    }

    func testFourWorkersOnOneStudyFinishExactlyTwentyTrialsNumberedOnce() throws {
        let config = try writeConfig(name: "fleet", maxEvals: 20, epochs: 1)
        let workers = try (0..<4).map { try start(["tune", config, "--storage", url, "--quiet"], tag: "w\($0)") }
        for (k, (p, err)) in workers.enumerated() {
            wait(p, 240, "worker \(k)")
            XCTAssertEqual(p.terminationStatus, 0, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }
        XCTAssertEqual(try counts("fleet"), ["complete": 20, "pruned": 0, "failed": 0, "running": 0])
        let trials = try store("fleet").trials()
        XCTAssertEqual(trials.map(\.number), Array(0..<20), "numbers 0-19, once each")
        XCTAssertTrue(trials.allSatisfy { $0.attempts == 1 && $0.retryOf == nil }, "no trial run twice")
        XCTAssertGreaterThan(Set(trials.compactMap(\.workerPID)).count, 1, "the workers shared the study")
        // The best package is in the database: any host can fetch it.
        let export = dir.appendingPathComponent("best-package").path
        let best = try ChildProcess.run(Self.binary, ["study", "best", url, "--study", "fleet", "--export", export, "--json"])
        XCTAssertEqual(best.status, 0, best.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: export + "/manifest.json"), best.stderr)
        XCTAssertNoThrow(try ModelPackage.load(export), "the exported package loads")
    }

    func testAWorkerKilledMidTrialHasItsTrialFailedAndRetriedAfterTheGracePeriod() throws {
        let config = try writeConfig(name: "killed", maxEvals: 1, epochs: 150)
        let (first, _) = try start(["tune", config, "--storage", url, "--quiet"], tag: "first")
        try until(120, "the first worker's trial to report an epoch") {
            (try? store("killed").trials().first?.record.intermediate.isEmpty == false) ?? false
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(try store("killed").trials().first?.state, .running, "killed mid-trial")
        let (second, err) = try start(["tune", config, "--storage", url], tag: "second")
        wait(second, 240, "the second worker")
        let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        XCTAssertEqual(second.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("trial 1 complete") && log.contains("(retry of #0)"), log)
        let trials = try store("killed").trials()
        XCTAssertEqual(trials.map(\.number), [0, 1])
        XCTAssertEqual(trials.map(\.state), [.failed, .complete])
        XCTAssertTrue(trials[0].error?.hasPrefix("lost: no heartbeat for ") == true, trials[0].error ?? "nil")
        XCTAssertEqual(trials[1].retryOf, 0, "the retry is linked to the killed worker's trial")
        XCTAssertEqual(trials[1].params, trials[0].params)
        XCTAssertEqual(trials[1].seed, trials[0].seed)
        XCTAssertEqual(try counts("killed"), ["complete": 1, "pruned": 0, "failed": 1, "running": 0])
        let show = try ChildProcess.run(Self.binary, ["study", "show", url, "--study", "killed"])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("(retry of #0)"), show.stdout)
        let json = try ChildProcess.run(Self.binary, ["study", "show", url, "--study", "killed", "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stderr)
        let rows = try XCTUnwrap(object["trials"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["retry_of"] as? Int }, [nil, 0])
    }

    func testAPausedWorkersLateResultIsRefusedAndTheCountStaysExact() throws {
        let config = try writeConfig(name: "paused", maxEvals: 1, epochs: 150)
        let (paused, pausedErr) = try start(["tune", config, "--storage", url], tag: "paused")
        try until(120, "the paused worker's trial to report an epoch") {
            (try? store("paused").trials().first?.record.intermediate.isEmpty == false) ?? false
        }
        kill(paused.processIdentifier, SIGSTOP)
        let (other, otherErr) = try start(["tune", config, "--storage", url], tag: "other")
        wait(other, 240, "the other worker")
        XCTAssertEqual(other.terminationStatus, 0, (try? String(contentsOf: otherErr, encoding: .utf8)) ?? "")
        let before = try store("paused").trials()
        XCTAssertEqual(before.map(\.state), [.failed, .complete])
        let taken = before[1]
        XCTAssertEqual(taken.retryOf, 0)
        kill(paused.processIdentifier, SIGCONT)
        wait(paused, 240, "the resumed worker")
        let log = (try? String(contentsOf: pausedErr, encoding: .utf8)) ?? ""
        XCTAssertEqual(paused.terminationStatus, 0, "no crash: \(log)")
        XCTAssertTrue(log.contains("trial 0: result refused"), log)
        let after = try store("paused").trials()
        XCTAssertEqual(after.map(\.state), [.failed, .complete], "the late result changed nothing")
        XCTAssertNil(after[0].value)
        XCTAssertEqual(after[1].value, taken.value, "the late result overwrote nothing")
        XCTAssertEqual(after[1].workerToken, taken.workerToken)
        XCTAssertEqual(try store("paused").study()?.bestTrial, 1)
        XCTAssertEqual(try counts("paused"), ["complete": 1, "pruned": 0, "failed": 1, "running": 0])
    }

    func testADatabaseRestartMidStudyLosesNothing() throws {
        let config = try writeConfig(name: "restart", maxEvals: 8, epochs: 20)
        let workers = try (0..<2).map { try start(["tune", config, "--storage", url, "--quiet"], tag: "r\($0)") }
        try until(120, "a first finished trial") {
            (try? store("restart").trials().contains { $0.state == .complete }) ?? false
        }
        XCTAssertEqual(Self.server!.restart(), 0, "pg-test-server.sh restart")
        for (k, (p, err)) in workers.enumerated() {
            wait(p, 240, "worker \(k)")
            XCTAssertEqual(p.terminationStatus, 0, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }
        // A trial whose heartbeat lapsed while the server was down is failed as lost and
        // retried (each such failure has its retry); the study still ends with 8 complete.
        let trials = try store("restart").trials()
        let lost = trials.filter { $0.state == .failed }
        XCTAssertTrue(lost.allSatisfy { $0.error?.hasPrefix("lost: ") == true }, "\(lost.map(\.error))")
        XCTAssertEqual(Set(trials.compactMap(\.retryOf)).count, lost.count, "every lost trial retried once")
        XCTAssertEqual(try counts("restart"), ["complete": 8, "pruned": 0, "failed": lost.count, "running": 0])
        XCTAssertEqual(trials.map(\.number), Array(0..<(8 + lost.count)))
    }

    func testABadURLOrAnUnreachableServerIsExit2BeforeAnyTraining() throws {
        let config = try writeConfig(name: "bad", maxEvals: 1, epochs: 1)
        let unreachable = try ChildProcess.run(Self.binary, ["tune", config, "--storage", "postgresql://recur@127.0.0.1:1/recur"])
        XCTAssertEqual(unreachable.status, 2, unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("127.0.0.1:1"), unreachable.stderr)
        XCTAssertFalse(unreachable.stderr.contains("trial"), "nothing trained: \(unreachable.stderr)")
        let malformed = try ChildProcess.run(Self.binary, ["tune", config, "--storage", "postgresql://recur@127.0.0.1:1/recur?sslmode=maybe"])
        XCTAssertEqual(malformed.status, 2, malformed.stderr)
        XCTAssertTrue(malformed.stderr.contains("sslmode"), malformed.stderr)
        let noDatabase = try ChildProcess.run(Self.binary, ["tune", config, "--storage", url + "-missing"])
        XCTAssertEqual(noDatabase.status, 2, noDatabase.stderr)
        XCTAssertTrue(noDatabase.stderr.contains("createdb"), noDatabase.stderr)
    }

    func testAnEnqueuedTrialRunsNextAndTheBestPackageExportsOnBothStorages() throws {
        let config = try writeConfig(name: "queued", maxEvals: 2, epochs: 1)
        for storage in [dir.appendingPathComponent("queued.study.sqlite").path, url] {
            let first = try ChildProcess.run(Self.binary, ["tune", config, "--storage", storage, "--trials", "1", "--quiet"])
            XCTAssertEqual(first.status, 0, first.stderr)
            let bad = try ChildProcess.run(Self.binary, ["study", "enqueue", storage, "--study", "queued", "--params", "{\"model.nope\": 1}"])
            XCTAssertEqual(bad.status, 2, bad.stderr)
            XCTAssertTrue(bad.stderr.contains("model.nope") && bad.stderr.contains("training.optimizer.learning_rate"), bad.stderr)
            let queued = try ChildProcess.run(Self.binary, ["study", "enqueue", storage, "--study", "queued",
                                                            "--params", "{\"training.optimizer.learning_rate\": 0.0123}"])
            XCTAssertEqual(queued.status, 0, queued.stderr)
            let second = try ChildProcess.run(Self.binary, ["tune", config, "--storage", storage, "--trials", "2", "--quiet"])
            XCTAssertEqual(second.status, 0, second.stderr)
            let show = try ChildProcess.run(Self.binary, ["study", "show", storage, "--study", "queued", "--json"])
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], show.stderr)
            let trials = try XCTUnwrap(object["trials"] as? [[String: Any]])
            XCTAssertEqual(trials.count, 2, storage)
            XCTAssertEqual((trials.last?["params"] as? [String: Any])?["training.optimizer.learning_rate"] as? Double, 0.0123, storage)
            let export = dir.appendingPathComponent("export-\(trials.count)-\(UUID().uuidString.prefix(4))").path
            let best = try ChildProcess.run(Self.binary, ["study", "best", storage, "--study", "queued", "--export", export])
            XCTAssertEqual(best.status, 0, best.stderr)
            XCTAssertNoThrow(try ModelPackage.load(export), storage)
            let list = try ChildProcess.run(Self.binary, ["study", "list", storage, "--json"])
            XCTAssertTrue(list.stdout.contains("\"queued\""), list.stdout + list.stderr)
        }
    }
}
