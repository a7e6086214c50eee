import Foundation
import RecurTrain
@testable import RecurTune
import GRDB
import XCTest

/// The study database: round trips, state changes, and files that are not studies.
final class StudyStorageTests: XCTestCase {
    var fixture: StudyFixture!

    override func setUpWithError() throws { fixture = try StudyFixture() }
    override func tearDown() { fixture = nil }

    var path: String { fixture.dir.appendingPathComponent("s.study.sqlite").path }

    func study(hash: String = "h1", json: String = "{\"a\": 1}") -> StudyRecord {
        StudyRecord(name: "s", configHash: hash, configJSON: json, objective: "val_loss", sampler: "tpe", seed: UInt64.max - 3,
                    maxEvals: 5, bestPackage: "/x/s.study.best", created: 1000)
    }

    func testStudyAndTrialsRoundTripThroughEveryState() throws {
        let storage = try StudyStorage.open(path: path, create: true)
        XCTAssertNil(try storage.study())
        try storage.attach(study())
        XCTAssertEqual(try storage.study(), study(), "the seed keeps all 64 bits")

        let worker = WorkerIdentity(pid: getpid(), host: "h", token: "t")
        LiveWorkers.insert("t")
        defer { LiveWorkers.remove("t") }
        let params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(0.001), "model.cell": .string("gru"), "b": .bool(true)]
        var seen: [[TrialRecord]] = []
        for _ in 0..<3 {
            let claim = try XCTUnwrap(try storage.claimTrial(maxEvals: 3, worker: worker, staleAfter: 300) { trials, number in
                seen.append(trials)
                return (params, UInt64(number) + 10)
            })
            XCTAssertFalse(claim.isRerun)
            XCTAssertEqual(claim.params, params)
        }
        XCTAssertEqual(seen.map(\.count), [0, 1, 2], "the sampler sees the running trials")
        XCTAssertTrue(seen[2].allSatisfy { $0.state == .running })
        XCTAssertNil(try storage.claimTrial(maxEvals: 3, worker: worker, staleAfter: 300) { _, _ in XCTFail("budget spent"); return ([:], 0) })

        try storage.reportIntermediate(number: 0, epoch: 1, value: 0.5, token: "t")
        try storage.reportIntermediate(number: 0, epoch: 2, value: 0.25, token: "t")
        let metrics = SplitMetrics(train: MetricSet(rmse: 1, mae: 0.5, r2: 0.9, maxError: 2, mape: nil, smape: 3, mase: nil, count: 10))
        XCTAssertTrue(try storage.finish(number: 0, token: "t", state: .complete, value: 0.25, seconds: 1.5, metrics: metrics, epochs: 2))
        XCTAssertTrue(try storage.finish(number: 1, token: "t", state: .pruned, value: 0.7, seconds: 0.5, epochs: 1))
        XCTAssertFalse(try storage.finish(number: 2, token: "other", state: .failed, value: nil, seconds: 1), "only the holder finishes a trial")
        XCTAssertTrue(try storage.finish(number: 2, token: "t", state: .failed, value: nil, seconds: 1, error: "loss became NaN"))

        // A second connection sees every committed change.
        let again = try StudyStorage.open(path: path, create: false)
        let trials = try again.trials()
        XCTAssertEqual(trials.map(\.number), [0, 1, 2])
        XCTAssertEqual(trials.map(\.state), [.complete, .pruned, .failed])
        XCTAssertEqual(trials[0].record.intermediate, [1: 0.5, 2: 0.25])
        XCTAssertEqual(trials[0].params, params)
        XCTAssertEqual(trials[0].metrics, metrics)
        XCTAssertEqual(trials[0].seconds, 1.5)
        XCTAssertEqual(trials[0].epochs, 2)
        XCTAssertEqual(trials.map(\.seed), [10, 11, 12])
        XCTAssertEqual(trials[2].error, "loss became NaN")
        XCTAssertNil(trials[2].value)
        XCTAssertNotNil(trials[0].finished)
        XCTAssertEqual(trials[0].workerHost, "h")

        try again.setBest(trial: 0, testMetrics: metrics.train)
        XCTAssertEqual(try storage.study()?.bestTrial, 0)
        XCTAssertEqual(try storage.study()?.bestTestMetrics, metrics.train)
    }

    func testATrialOfADeadWorkerIsClaimedAgainWithItsNumberAndParameters() throws {
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(study())
        let dead = try StudyFixture.deadPID()
        let now = Date().timeIntervalSince1970
        let me = WorkerIdentity.current()
        LiveWorkers.insert(me.token)
        defer { LiveWorkers.remove(me.token) }
        func running(_ n: Int, pid: Int32, host: String, token: String, heartbeat: Double) -> StoredTrial {
            StoredTrial(record: TrialRecord(number: n, params: ["x": .number(Double(n))], state: .running, intermediate: [1: 0.3]),
                        started: heartbeat, seed: 3, workerPID: pid, workerHost: host, workerToken: token, heartbeat: heartbeat, attempts: 1)
        }
        try storage.insert(running(0, pid: dead, host: me.host, token: "gone", heartbeat: now))              // dead process here
        try storage.insert(running(1, pid: getpid(), host: me.host, token: "no-runner", heartbeat: now))    // this process, no such runner
        try storage.insert(running(2, pid: 1, host: "elsewhere", token: "far", heartbeat: now))            // alive elsewhere
        try storage.insert(running(3, pid: 1, host: "elsewhere", token: "far", heartbeat: now - 3600))     // silent for an hour

        var claimed: [StudyStorage.Claim] = []
        while let c = try storage.claimTrial(maxEvals: 4, worker: me, staleAfter: 300, propose: { _, _ in XCTFail("no new trial"); return ([:], 0) }) {
            claimed.append(c)
        }
        // The dead workers' trials are failed and each re-queued as a new trial linked to it.
        XCTAssertEqual(claimed.map(\.number), [4, 5, 6])
        XCTAssertEqual(claimed.map(\.retryOf), [0, 1, 3])
        XCTAssertTrue(claimed.allSatisfy(\.isRerun))
        XCTAssertEqual(claimed.map(\.params), [["x": .number(0)], ["x": .number(1)], ["x": .number(3)]])
        XCTAssertEqual(claimed.map(\.seed), [3, 3, 3])
        let trials = try storage.trials()
        XCTAssertEqual(trials.map(\.state), [.failed, .failed, .running, .failed, .running, .running, .running])
        XCTAssertTrue(trials[0].error?.hasPrefix("lost: its worker is gone") == true, trials[0].error ?? "nil")
        XCTAssertTrue(trials[3].error?.hasPrefix("lost: no heartbeat for 3600 s") == true, trials[3].error ?? "nil")
        XCTAssertEqual(trials[0].record.intermediate, [1: 0.3], "the lost run keeps its values")
        XCTAssertEqual(trials[4].record.intermediate, [:], "a retry starts its epochs afresh")
        XCTAssertEqual(trials[4].workerToken, me.token)
        XCTAssertNil(trials[0].workerToken)
        XCTAssertEqual(trials[2].workerToken, "far", "a live worker's trial is left alone")
        XCTAssertEqual(StudyBudget.spent(trials), 4, "retries take their chain's place")
    }

    /// A study file of schema 1 (before retries): a reader reads it as it is, a worker migrates
    /// it to schema 2 keeping every trial, and its lost trial is then failed and re-queued.
    func testAVersionOneStudyIsReadAsItIsAndMigratedByAWorker() throws {
        let queue = try DatabaseQueue(path: path)
        try StudyStorage.migrator.migrate(queue, upTo: "queue")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO study (id, name, config_hash, config_json, objective, sampler, seed, max_evals, best_package, created_at)
                VALUES (1, 's', 'h1', '{"a": 1}', 'val_loss', 'tpe', 1, 2, '/x/s.study.best', 1000);
                INSERT INTO trial (number, state, params_json, value, started_at, finished_at, seed, attempts)
                VALUES (0, 'complete', '{"x":1}', 0.5, 1, 2, 3, 1);
                INSERT INTO trial (number, state, params_json, started_at, seed, worker_pid, worker_host, worker_token, heartbeat_at, attempts)
                VALUES (1, 'running', '{"x":2}', 1, 4, 1, 'elsewhere', 'old', 1, 2);
                """)
        }
        try queue.close()
        let readout = try StudyReader(storage: path).read(changedAfter: nil)
        XCTAssertEqual(readout.trials.map(\.number), [0, 1])
        XCTAssertEqual(readout.trials.map(\.retryOf), [nil, nil])
        XCTAssertEqual(readout.trials[1].attempts, 2)

        let storage = try StudyStorage.open(path: path, create: true)
        let version = try storage.pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM study_meta WHERE key = 'schema_version'") }
        XCTAssertEqual(version, "2")
        XCTAssertEqual(try storage.trials().map(\.value), [0.5, nil])
        let me = WorkerIdentity.current()
        // Trial 1 was re-run in place once by the earlier Recur: that counts as its one retry.
        XCTAssertNil(try storage.claimTrial(maxEvals: 2, worker: me, lease: TrialLease(staleAfter: 300, maxRetries: 1),
                                            propose: { _, _ in XCTFail("budget spent"); return ([:], 0) }))
        let trials = try storage.trials()
        XCTAssertEqual(trials.map(\.state), [.complete, .failed])
        XCTAssertTrue(trials[1].error?.contains("not re-queued") == true, trials[1].error ?? "nil")
    }

    /// Readers (`recur report`, `recur study show`) refuse an empty file or an SQLite database
    /// without tables, and leave it exactly as it was (no tables, no WAL files).
    func testReadersLeaveAnEmptyFileUntouched() throws {
        let empty = fixture.dir.appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertThrowsError(try StudyStorage.open(path: empty, create: false)) { error in
            guard case let TuneError.notAStudy(p, reason)? = error as? TuneError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, empty)
            XCTAssertTrue(reason.contains("empty"), reason)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: empty)).count, 0, "still empty")

        // An SQLite database whose only table was dropped: valid, non-empty, no tables.
        let bare = fixture.dir.appendingPathComponent("bare.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.execute('drop table t'); c.commit()", bare]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus == 0 {
            let before = try Data(contentsOf: URL(fileURLWithPath: bare))
            XCTAssertThrowsError(try StudyStorage.open(path: bare, create: false)) { error in
                XCTAssertTrue(String(describing: error).contains("without tables"), "\(error)")
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bare)), before, "left byte for byte")
            XCTAssertFalse(FileManager.default.fileExists(atPath: bare + "-wal"))
        }
        // A writer (recur tune) may still start a study in an empty file.
        XCTAssertNoThrow(try StudyStorage.open(path: empty, create: true))
    }

    func testAFileThatIsNotAStudyIsRefusedNamingIt() throws {
        let text = fixture.dir.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StudyStorage.open(path: text, create: true)) { error in
            guard case let TuneError.notAStudy(p, reason)? = error as? TuneError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, text)
            XCTAssertTrue(reason.contains("not an SQLite database"), reason)
            XCTAssertTrue((error as! TuneError).isUsage)
        }
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "hello", "left as it was")

        // An SQLite database of something else.
        let other = fixture.dir.appendingPathComponent("other.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table players(id)'); c.commit()", other]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus == 0 {
            XCTAssertThrowsError(try StudyStorage.open(path: other, create: true)) { error in
                XCTAssertTrue(String(describing: error).contains("players"), "\(error)")
                XCTAssertTrue(String(describing: error).contains(other), "\(error)")
            }
        }

        let missing = fixture.dir.appendingPathComponent("missing.sqlite").path
        XCTAssertThrowsError(try StudyStorage.open(path: missing, create: false)) { error in
            XCTAssertEqual(error as? TuneError, .noStudy(path: missing))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testAStudyOfAnotherConfigIsRefusedNamingWhatDiffers() throws {
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(study(hash: "h1", json: "{\"training\": {\"epochs\": 2, \"batch_size\": 32}}"))
        var more = study(hash: "h1")
        more.maxEvals = 50
        XCTAssertEqual(try storage.attach(more).maxEvals, 50, "raising max_evals resumes the same study")
        XCTAssertThrowsError(try storage.attach(study(hash: "h2", json: "{\"training\": {\"epochs\": 3, \"batch_size\": 32}}"))) { error in
            guard case let TuneError.differentConfig(p, differences)? = error as? TuneError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(differences, ["`training.epochs`: 2 in the study, 3 now"])
        }
    }

    func testTheConfigKeyIgnoresMaxEvalsJobsAndOutputOnly() throws {
        let a = try fixture.config(search: #"{"max_evals": 3, "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.01]}}}"#)
        var b = a
        b.search?.maxEvals = 30
        b.search?.jobs = 2
        b.output = OutputConfig(directory: "/elsewhere")
        XCTAssertEqual(StudyConfigKey.hash(a), StudyConfigKey.hash(b))
        var c = a
        c.training.batchSize = 64
        XCTAssertNotEqual(StudyConfigKey.hash(a), StudyConfigKey.hash(c))
        XCTAssertEqual(StudyConfigKey.differences(stored: StudyConfigKey.json(a), current: StudyConfigKey.json(c)),
                       ["`training.batch_size`: 32 in the study, 64 now"])
    }
}
