import Foundation
import RecurTestSupport
import RecurTrain
import RecurTune
import RecurTunePostgres
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

    func testALostTrialIsRunAgainWithItsParametersAndTheLateResultIsRefused() throws {
        for (kind, store) in try stores("lost") {
            try store.attach(record("lost"))
            let lease = TrialLease(staleAfter: 0.3, maxRetries: 2)
            let first = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("paused"), lease: lease, propose: propose))
            try store.reportIntermediate(number: first.number, epoch: 1, value: 0.9, token: "paused")
            Thread.sleep(forTimeInterval: 0.8)  // past the grace period, without a heartbeat
            let again = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("fresh"), lease: lease, propose: propose), kind)
            XCTAssertEqual(again.number, first.number, kind)
            XCTAssertEqual(again.params, first.params, kind)
            XCTAssertEqual(again.seed, first.seed, kind)
            XCTAssertTrue(again.isRerun, kind)
            // The paused worker comes back: its values and its result are refused.
            try store.reportIntermediate(number: first.number, epoch: 2, value: 0.1, token: "paused")
            XCTAssertEqual(try store.commit(TrialResult(number: first.number, state: .complete, value: 0.1, seconds: 1), token: "paused", best: nil),
                           .refused, kind)
            XCTAssertEqual(try store.commit(TrialResult(number: first.number, state: .complete, value: 0.4, seconds: 1), token: "fresh", best: nil),
                           .recorded(newBest: false), kind)
            let trials = try store.trials()
            XCTAssertEqual(trials.count, 1, kind)
            XCTAssertEqual(trials[0].value, 0.4, kind)
            XCTAssertEqual(trials[0].attempts, 2, kind)
            XCTAssertEqual(trials[0].record.intermediate, [:], "the lost attempt's values are dropped (\(kind))")
        }
    }

    func testATrialLostMoreThanMaxRetriesTimesIsRecordedFailed() throws {
        for (kind, store) in try stores("retries") {
            try store.attach(record("retries"))
            let lease = TrialLease(staleAfter: 0.2, maxRetries: 1)
            _ = try XCTUnwrap(try store.claimTrial(maxEvals: 1, worker: worker("a"), lease: lease, propose: propose))
            Thread.sleep(forTimeInterval: 0.5)
            XCTAssertEqual(try store.claimTrial(maxEvals: 1, worker: worker("b"), lease: lease, propose: propose)?.isRerun, true, kind)
            Thread.sleep(forTimeInterval: 0.5)
            XCTAssertNil(try store.claimTrial(maxEvals: 1, worker: worker("c"), lease: lease, propose: propose), kind)
            let trial = try XCTUnwrap(try store.trials().first)
            XCTAssertEqual(trial.state, .failed, kind)
            XCTAssertEqual(trial.attempts, 2, kind)
            XCTAssertTrue(trial.error?.contains("max_retries") == true, "\(kind): \(trial.error ?? "nil")")
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
