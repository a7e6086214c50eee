import Foundation
import GRDB
import RecurTestSupport
import RecurTrain
@testable import RecurTune
@testable import RecurTunePostgres
import PostgresNIO
import XCTest

/// One set of storage behaviour tests, run against the SQLite `StudyStorage` and against
/// `PostgresStudyStore` on a real server (scripts/pg-test-server.sh): claims and the budget,
/// refused late commits, the queue, lost trials and `max_retries`, the best package.
class StudyStoreBehaviourTests: PostgresTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for t in tokens { LiveWorkers.remove(t) }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Both stores, each with a new study called `name`.
    func stores(_ name: String) throws -> [(String, any StudyStore)] {
        let sqlite = try StudyStorage.open(path: dir.appendingPathComponent("\(name).study.sqlite").path, create: true)
        guard let server = Self.server else {
            throw XCTSkip(PostgresTestServer.unavailable ?? "no PostgreSQL server")
        }
        let pg = try PostgresStudyStore(url: try PostgresURL(server.url), name: name + "-" + UUID().uuidString.prefix(8), create: true)
        return [("sqlite", sqlite), ("postgresql", pg)]
    }

    func record(_ name: String, maxEvals: Int = 3) -> StudyRecord {
        StudyRecord(name: name, configHash: "fnv1a64:0000000000000001", configJSON: "{}", objective: "val_loss", sampler: "random",
                    seed: 1, maxEvals: maxEvals, bestPackage: dir.appendingPathComponent("\(name).study.best").path)
    }

    var tokens: [String] = []

    /// A worker of this process, alive (as a runner registers itself) until the test ends.
    func worker(_ token: String) -> WorkerIdentity {
        LiveWorkers.insert(token)
        tokens.append(token)
        return WorkerIdentity(pid: getpid(), host: "test-host", token: token)
    }

    func propose(_ trials: [TrialRecord], _ number: Int) -> (params: [String: SearchValue], seed: UInt64) {
        (["x": .number(Double(number))], UInt64(100 + number))
    }

    func testClaimsNumberTrialsInOrderAndRunningOnesCountAgainstTheBudget() throws {
        for (kind, store) in try stores("budget") {
            try store.attach(record("budget"))
            let lease = TrialLease(staleAfter: 1e6)
            var numbers: [Int] = []
            for k in 0..<3 {
                let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("w\(k)"), lease: lease, propose: propose), kind)
                numbers.append(claim.number)
                XCTAssertEqual(claim.params, ["x": .number(Double(claim.number))], kind)
                XCTAssertEqual(claim.seed, UInt64(100 + claim.number), kind)
            }
            XCTAssertEqual(numbers, [0, 1, 2], kind)
            // Three running trials spend a budget of 3.
            XCTAssertNil(try store.claimTrial(maxEvals: 3, worker: worker("w9"), lease: lease, propose: propose), kind)
            XCTAssertEqual(try store.trials().map(\.state), [.running, .running, .running], kind)
        }
    }

    func testACommitOfAWorkerThatDoesNotHoldTheTrialIsRefused() throws {
        for (kind, store) in try stores("refuse") {
            try store.attach(record("refuse"))
            let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("a"), lease: TrialLease(staleAfter: 1e6), propose: propose))
            let result = TrialResult(number: claim.number, state: .complete, value: 0.5, seconds: 1)
            XCTAssertEqual(try store.commit(result, token: "b", best: nil), .refused, kind)
            XCTAssertEqual(try store.trials()[0].state, .running, kind)
            XCTAssertEqual(try store.commit(result, token: "a", best: nil), .recorded(newBest: false), kind)
            XCTAssertEqual(try store.trials()[0].state, .complete, kind)
            XCTAssertEqual(try store.trials()[0].value, 0.5, kind)
            // Once finished, a second commit changes nothing.
            let again = TrialResult(number: claim.number, state: .complete, value: 0.1, seconds: 1)
            _ = try store.commit(again, token: "b", best: nil)
            XCTAssertEqual(try store.trials()[0].value, 0.5, kind)
        }
    }

    func testALostTrialIsFailedAndRequeuedAsALinkedRetryAndTheLateCommitIsRefused() throws {
        for (kind, store) in try stores("lost") {
            try store.attach(record("lost"))
            let lease = TrialLease(staleAfter: 0.3, maxRetries: 2)
            let first = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("paused"), lease: lease, propose: propose))
            try store.reportIntermediate(number: first.number, epoch: 1, value: 0.9, token: "paused")
            Thread.sleep(forTimeInterval: 0.8)  // past the grace period, without a heartbeat
            let retry = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("fresh"), lease: lease, propose: { _, _ in
                XCTFail("a retry is queued, not proposed (\(kind))")
                return ([:], 0)
            }), kind)
            XCTAssertEqual(retry.number, 1, "a new number (\(kind))")
            XCTAssertEqual(retry.params, first.params, kind)
            XCTAssertEqual(retry.seed, first.seed, kind)
            XCTAssertEqual(retry.retryOf, first.number, kind)
            XCTAssertEqual(retry.retries, 1, kind)
            XCTAssertTrue(retry.isRerun && retry.wasQueued, kind)
            var trials = try store.trials()
            XCTAssertEqual(trials.map(\.state), [.failed, .running], kind)
            XCTAssertTrue(trials[0].error?.hasPrefix("lost: no heartbeat for ") == true, "\(kind): \(trials[0].error ?? "nil")")
            XCTAssertTrue(trials[0].error?.contains("re-queued as retry 1 of at most 2") == true, "\(kind): \(trials[0].error ?? "nil")")
            XCTAssertNil(trials[0].workerToken, "a lost trial is held by no one (\(kind))")
            XCTAssertNil(trials[0].retryOf, kind)
            XCTAssertEqual(trials[0].record.intermediate, [1: 0.9], "the lost run's values stay with it (\(kind))")
            XCTAssertEqual(trials[1].retryOf, 0, kind)
            XCTAssertEqual(trials[1].record.intermediate, [:], kind)
            // The paused worker comes back: its values and its result are refused.
            try store.reportIntermediate(number: first.number, epoch: 2, value: 0.1, token: "paused")
            XCTAssertEqual(try store.commit(TrialResult(number: first.number, state: .complete, value: 0.1, seconds: 1), token: "paused", best: nil),
                           .refused, kind)
            XCTAssertEqual(try store.commit(TrialResult(number: retry.number, state: .complete, value: 0.4, seconds: 1), token: "fresh", best: nil),
                           .recorded(newBest: false), kind)
            // The retry took the lost trial's place in the budget: nothing more to run.
            XCTAssertNil(try store.claimTrial(maxEvals: 1, worker: worker("late"), lease: lease, propose: propose), kind)
            trials = try store.trials()
            XCTAssertEqual(trials.map(\.state), [.failed, .complete], kind)
            XCTAssertNil(trials[0].value, kind)
            XCTAssertEqual(trials[0].record.intermediate, [1: 0.9], kind)
            XCTAssertEqual(trials[1].value, 0.4, kind)
            XCTAssertEqual(StudyBudget.spent(trials), 1, kind)
            XCTAssertEqual(StudyBudget.finished(trials), 1, kind)
            XCTAssertEqual(try store.queuedCount(), 0, kind)
        }
    }

    func testAChainWithMaxRetriesRetriesIsNotRequeuedAndItsFailureStands() throws {
        for (kind, store) in try stores("retries") {
            try store.attach(record("retries"))
            let lease = TrialLease(staleAfter: 0.2, maxRetries: 2)
            _ = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("a"), lease: lease, propose: propose))
            Thread.sleep(forTimeInterval: 0.5)
            let one = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("b"), lease: lease, propose: propose), kind)
            XCTAssertEqual([one.number, one.retryOf, one.retries], [1, 0, 1], kind)
            Thread.sleep(forTimeInterval: 0.5)
            let two = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("c"), lease: lease, propose: propose), kind)
            XCTAssertEqual([two.number, two.retryOf, two.retries], [2, 0, 2], "linked to the chain's first trial (\(kind))")
            Thread.sleep(forTimeInterval: 0.5)
            XCTAssertNil(try store.claimTrial(maxEvals: 1, worker: worker("d"), lease: lease, propose: propose), kind)
            let trials = try store.trials()
            XCTAssertEqual(trials.map(\.state), [.failed, .failed, .failed], kind)
            XCTAssertEqual(trials.map(\.retryOf), [nil, 0, 0], kind)
            XCTAssertEqual(trials.map(\.retries), [0, 1, 2], kind)
            let last = trials[2].error ?? "nil"
            XCTAssertTrue(last.hasPrefix("lost: no heartbeat for ") && last.contains("not re-queued") && last.contains("search.max_retries 2"),
                          "\(kind): \(last)")
            XCTAssertEqual(try store.queuedCount(), 0, kind)
            XCTAssertEqual(StudyBudget.finished(trials), 1, "one chain, failed (\(kind))")
        }
    }

    func testALateCommitAfterTheRetryFinishedIsRefusedAndLeavesTheBestAlone() throws {
        for (kind, store) in try stores("late") {
            try store.attach(record("late"))
            let lease = TrialLease(staleAfter: 0.3, maxRetries: 2)
            func package(_ text: String) -> BestCandidate {
                BestCandidate(write: { folder in
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    try Data("{\"trial\": \"\(text)\"}".utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
                }, testMetrics: nil)
            }
            let first = try XCTUnwrap(try store.claimTrial(maxEvals: 2, worker: worker("paused"), lease: lease, propose: propose))
            Thread.sleep(forTimeInterval: 0.8)
            let retry = try XCTUnwrap(try store.claimTrial(maxEvals: 2, worker: worker("fresh"), lease: lease, propose: propose), kind)
            XCTAssertEqual(retry.retryOf, first.number, kind)
            XCTAssertEqual(try store.commit(TrialResult(number: retry.number, state: .complete, value: 0.4, seconds: 1), token: "fresh",
                                            best: package("retry")), .recorded(newBest: true), kind)
            // The paused worker's better result comes after: refused, the best stays the retry's.
            XCTAssertEqual(try store.commit(TrialResult(number: first.number, state: .complete, value: 0.01, seconds: 1), token: "paused",
                                            best: package("late")), .refused, kind)
            let trials = try store.trials()
            XCTAssertEqual(trials.map(\.state), [.failed, .complete], kind)
            XCTAssertNil(trials[0].value, kind)
            XCTAssertEqual(try store.study()?.bestTrial, retry.number, kind)
            let out = dir.appendingPathComponent("late-\(kind)").path
            if let pg = store as? PostgresStudyStore {
                let (trial, artifact) = try XCTUnwrap(try pg.bestArtifact())
                XCTAssertEqual(trial, retry.number)
                try artifact.extract(to: out)
            } else {
                try FileManager.default.copyItem(atPath: try XCTUnwrap(try store.study()).bestPackage, toPath: out)
            }
            XCTAssertEqual(try String(contentsOfFile: out + "/manifest.json", encoding: .utf8), "{\"trial\": \"retry\"}", kind)
            // The budget of 2 still has one place: the lost trial's chain holds only one.
            let next = try XCTUnwrap(try store.claimTrial(maxEvals: 2, worker: worker("next"), lease: lease, propose: propose), kind)
            XCTAssertEqual(next.number, 2, kind)
            XCTAssertNil(next.retryOf, kind)
            XCTAssertNil(try store.claimTrial(maxEvals: 2, worker: worker("none"), lease: lease, propose: propose), kind)
        }
    }

    func testAnEnqueuedTrialIsClaimedFirstWithItsParametersAndSeed() throws {
        for (kind, store) in try stores("queue") {
            try store.attach(record("queue"))
            let lease = TrialLease(staleAfter: 1e6)
            _ = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("a"), lease: lease, propose: propose))
            try store.enqueue(params: ["x": .number(42)], seed: 7)
            XCTAssertEqual(try store.queuedCount(), 1, kind)
            let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("b"), lease: lease, propose: { _, _ in
                XCTFail("the queued trial comes first (\(kind))")
                return ([:], 0)
            }))
            XCTAssertEqual(claim.number, 1, kind)
            XCTAssertEqual(claim.params, ["x": .number(42)], kind)
            XCTAssertEqual(claim.seed, 7, kind)
            XCTAssertTrue(claim.wasQueued, kind)
            XCTAssertEqual(try store.queuedCount(), 0, kind)
        }
    }

    func testOnlyABetterAcceptedCommitReplacesTheBestPackage() throws {
        for (kind, store) in try stores("best") {
            try store.attach(record("best"))
            let lease = TrialLease(staleAfter: 1e6)
            func package(_ text: String) -> BestCandidate {
                BestCandidate(write: { folder in
                    try FileManager.default.createDirectory(atPath: folder + "/weights", withIntermediateDirectories: true)
                    try Data("{\"trial\": \"\(text)\"}".utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
                    try Data(repeating: UInt8(text.count), count: 5000).write(to: URL(fileURLWithPath: folder + "/weights/model.bin"))
                }, testMetrics: nil)
            }
            let a = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("a"), lease: lease, propose: propose))
            let b = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker("b"), lease: lease, propose: propose))
            XCTAssertEqual(try store.commit(TrialResult(number: a.number, state: .complete, value: 0.5, seconds: 1), token: "a", best: package("a")),
                           .recorded(newBest: true), kind)
            // A worse trial and a refused one leave the best alone.
            XCTAssertEqual(try store.commit(TrialResult(number: b.number, state: .complete, value: 0.1, seconds: 1), token: "x", best: package("x")),
                           .refused, kind)
            XCTAssertEqual(try store.commit(TrialResult(number: b.number, state: .complete, value: 0.9, seconds: 1), token: "b", best: package("bb")),
                           .recorded(newBest: false), kind)
            XCTAssertEqual(try store.study()?.bestTrial, a.number, kind)
            let out = dir.appendingPathComponent("exported-\(kind)").path
            if let pg = store as? PostgresStudyStore {
                let (trial, artifact) = try XCTUnwrap(try pg.bestArtifact())
                XCTAssertEqual(trial, a.number)
                XCTAssertLessThan(artifact.compressed.count, artifact.rawSize, "stored compressed")
                try artifact.extract(to: out)
            } else {
                try FileManager.default.copyItem(atPath: try XCTUnwrap(try store.study()).bestPackage, toPath: out)
            }
            XCTAssertEqual(try String(contentsOfFile: out + "/manifest.json", encoding: .utf8), "{\"trial\": \"a\"}", kind)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/weights/model.bin")), Data(repeating: 1, count: 5000), kind)
        }
    }

    func testADamagedStoredPackageIsRefusedByItsChecksum() throws {
        let folder = dir.appendingPathComponent("pkg").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("{\"a\": 1}".utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
        var artifact = try StudyArtifact.archive(folder: folder)
        artifact.sha256 = String(repeating: "0", count: 64)
        XCTAssertThrowsError(try artifact.extract(to: dir.appendingPathComponent("out").path)) { error in
            XCTAssertTrue("\(error)".contains("SHA-256"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "no partial output")
    }

    /// A database of schema 1 (before retries): a reader reads it as it is, a worker migrates
    /// it to the current version keeping its trials, and its lost trial is failed and retried.
    func testAVersionOneDatabaseIsReadAsItIsAndMigratedByAWorker() throws {
        let server = try requireServer()
        let database = "v1_" + UUID().uuidString.prefix(8).lowercased()
        try PostgresPool.shared(for: try PostgresURL(server.url)).run { s in
            try s.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
        }
        let url = try PostgresURL("postgresql://\(server.user)@\(server.host):\(server.port)/\(database)")
        try PostgresPool.shared(for: url).run { s in
            try s.transaction {
                try s.query("CREATE TABLE recur_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)")
                for statement in PostgresStudySchema.migrations[0] { try s.query(PostgresQuery(unsafeSQL: statement)) }
                try s.query("INSERT INTO recur_schema (id, version) VALUES (1, 1)")
                try s.query("""
                    INSERT INTO recur_study (name, config_hash, config_json, objective, sampler, seed, max_evals, created_at)
                    VALUES ('old', 'fnv1a64:0000000000000001', '{}', 'val_loss', 'random', 1, 2, 1000)
                    """)
                try s.query("""
                    INSERT INTO recur_trial (study, number, state, params_json, value, started_at, finished_at, seed)
                    SELECT id, 0, 'complete', '{"x":1}', 0.5, 1, 2, 3 FROM recur_study
                    """)
                try s.query("""
                    INSERT INTO recur_trial (study, number, state, params_json, started_at, seed, worker_token, heartbeat_at)
                    SELECT id, 1, 'running', '{"x":2}', 1, 4, 'old', now() - interval '1 hour' FROM recur_study
                    """)
            }
        }
        let reader = try PostgresStudyStore(url: url, name: "old", create: false)
        XCTAssertEqual(try reader.trials().map(\.number), [0, 1])
        XCTAssertEqual(try PostgresStudyReader(url: url, name: "old").read(changedAfter: nil).trials.map(\.retryOf), [nil, nil])
        XCTAssertEqual(try PostgresStudySchema.version(PostgresPool.shared(for: url)), 1, "a reader changes nothing")

        let store = try PostgresStudyStore(url: url, name: "old", create: true)
        XCTAssertEqual(try PostgresStudySchema.version(PostgresPool.shared(for: url)), PostgresStudySchema.version)
        let retry = try XCTUnwrap(try store.claimTrial(maxEvals: 2, worker: worker("new"), lease: TrialLease(staleAfter: 60), propose: propose))
        XCTAssertEqual(retry.number, 2)
        XCTAssertEqual(retry.retryOf, 1)
        XCTAssertEqual(retry.params, ["x": .number(2)])
        XCTAssertEqual(try store.trials().map(\.state), [.complete, .failed, .running])
    }

    /// Stored JSON that does not decode is an error naming the study, the trial and the column,
    /// for the store and for its watcher, never a trial silently without its metrics.
    func testCorruptStoredJSONIsAnErrorNamingTheTrialAndTheColumn() throws {
        for (kind, store) in try stores("corrupt") {
            try store.attach(record("corrupt"))
            let lease = TrialLease(staleAfter: 1e6)
            for token in ["a", "b"] {
                let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker(token), lease: lease, propose: propose))
                _ = try store.commit(TrialResult(number: claim.number, state: .complete, value: 0.5, seconds: 1), token: token, best: nil)
            }
            let reader: any StudyReading
            func damage(_ column: String, _ text: String, trial: Int) throws {
                if let pg = store as? PostgresStudyStore {
                    let id = try pg.id()
                    try pg.pool.run { s in
                        try s.query("UPDATE recur_trial SET \(unescaped: column) = \(text) WHERE study = \(id) AND number = \(trial)")
                    }
                } else {
                    let sqlite = try XCTUnwrap(store as? StudyStorage)
                    try sqlite.pool.write { db in try db.execute(sql: "UPDATE trial SET \(column) = ? WHERE number = ?", arguments: [text, trial]) }
                }
            }
            if let pg = store as? PostgresStudyStore {
                reader = PostgresStudyReader(url: pg.url, name: pg.name)
            } else {
                reader = StudyReader(storage: store.location)
            }
            try damage("metrics_json", "{\"validation\": ", trial: 1)
            for (what, read) in [("store", { _ = try store.trials() }), ("reader", { _ = try reader.read(changedAfter: nil) })] as [(String, () throws -> Void)] {
                XCTAssertThrowsError(try read(), "\(kind) \(what)") { error in
                    guard case let TuneError.corrupt(path, row, column, _)? = error as? TuneError else { return XCTFail("\(kind) \(what): \(error)") }
                    XCTAssertTrue(path.contains(store.location), "\(kind): \(path)")
                    XCTAssertEqual(row, "trial 1", kind)
                    XCTAssertEqual(column, "metrics_json", kind)
                    XCTAssertTrue("\(error)".contains("trial 1's `metrics_json` cannot be read"), "\(error)")
                }
            }
            try damage("metrics_json", "{}", trial: 1)
            XCTAssertEqual(try store.trials().count, 2, "an empty metrics object reads (\(kind))")
            try damage("params_json", "[1, 2]", trial: 0)
            XCTAssertThrowsError(try store.trials(), kind) { error in
                guard case let TuneError.corrupt(_, row, column, reason)? = error as? TuneError else { return XCTFail("\(kind): \(error)") }
                XCTAssertEqual([row, column], ["trial 0", "params_json"], kind)
                XCTAssertTrue(reason.contains("[1, 2]"), reason)
            }
        }
    }

    func testTwoStudiesInOneDatabaseStayApart() throws {
        let server = try requireServer()
        let url = try PostgresURL(server.url)
        let suffix = UUID().uuidString.prefix(8)
        let one = try PostgresStudyStore(url: url, name: "one-\(suffix)", create: true)
        let two = try PostgresStudyStore(url: url, name: "two-\(suffix)", create: true)
        try one.attach(record("one"))
        try two.attach(record("two", maxEvals: 2))
        let lease = TrialLease(staleAfter: 1e6)
        for _ in 0..<3 { _ = try one.claimTrial(maxEvals: 3, worker: worker("a"), lease: lease, propose: propose) }
        _ = try two.claimTrial(maxEvals: 2, worker: worker("b"), lease: lease, propose: propose)
        XCTAssertEqual(try one.trials().map(\.number), [0, 1, 2])
        XCTAssertEqual(try two.trials().map(\.number), [0], "numbers are per study")
        let names = try PostgresStudyStore.list(url: url).map(\.name)
        XCTAssertTrue(names.contains("one-\(suffix)") && names.contains("two-\(suffix)"), "\(names)")
    }

    func testAnUnreachableServerIsAClearErrorNamingHostAndPort() throws {
        // A port nothing listens on (the test server's, after it is known to be elsewhere).
        let url = try PostgresURL("postgresql://recur@127.0.0.1:1/recur")
        XCTAssertThrowsError(try PostgresStudyStore(url: url, name: "x", create: true)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("127.0.0.1:1"), text)
            XCTAssertTrue(text.contains("check that the server runs"), text)
            XCTAssertEqual((error as? PostgresStoreError)?.isUsage, true)
        }
        XCTAssertThrowsError(try PostgresURL("postgresql:///nohost")) { error in
            XCTAssertTrue("\(error)".contains("names no host"), "\(error)")
        }
    }

    func testThePasswordComesFromTheURLThenPGPASSWORDThenPgpass() throws {
        let pgpass = dir.appendingPathComponent("pgpass").path
        try "# comment\ndb.example:5432:studies:alice:from\\:pgpass\n*:*:*:bob:bobs\n".write(toFile: pgpass, atomically: true, encoding: .utf8)
        let env = ["PGPASSFILE": pgpass]
        XCTAssertEqual(try PostgresURL("postgresql://alice:inurl@db.example:5432/studies", environment: env).password, "inurl")
        XCTAssertEqual(try PostgresURL("postgresql://alice@db.example/studies", environment: env.merging(["PGPASSWORD": "env"]) { $1 }).password, "env")
        XCTAssertEqual(try PostgresURL("postgresql://alice@db.example/studies", environment: env).password, "from:pgpass")
        XCTAssertEqual(try PostgresURL("postgresql://bob@other:6000/x", environment: env).password, "bobs")
        XCTAssertNil(try PostgresURL("postgresql://carol@other/x", environment: env).password)
        XCTAssertEqual(try PostgresURL("postgresql://a:secret@h/x?sslmode=require", environment: env).display, "postgresql://a@h:5432/x?sslmode=require")
        XCTAssertThrowsError(try PostgresURL("postgresql://a@h/x?sslmode=sometimes", environment: env))
    }
}
