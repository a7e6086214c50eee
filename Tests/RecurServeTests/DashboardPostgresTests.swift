import Foundation
import PostgresNIO
@testable import RecurServe
import RecurTestSupport
import RecurTune
@testable import RecurTunePostgres
import XCTest

/// The dashboard on a PostgreSQL study (`--storage postgresql://… --study NAME`): a study
/// written through `PostgresStudyStore` on a real server (scripts/pg-test-server.sh) is read by
/// the JSON API over a real socket (curl), trials and all, and never written to; `?after=N`
/// answers only the trials changed since the answer that gave N (schema 2's change marks).
final class DashboardPostgresTests: PostgresTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testAPostgreSQLStudyIsServedByTheJSONAPI() async throws {
        let server = try requireServer()
        let url = try PostgresURL(server.url)
        let store = try PostgresStudyStore(url: url, name: "pgdash", create: true)
        try store.attach(StudyRecord(name: "pgdash", configHash: "fnv1a64:0000000000000001", configJSON: "{}", objective: "val_loss",
                                     sampler: "random", seed: 1, maxEvals: 3, bestPackage: StudyRecord.packageInDatabase))
        let worker = WorkerIdentity(pid: getpid(), host: "test-host", token: "w")
        for value in [0.7, 0.3] {
            let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker, lease: TrialLease(staleAfter: 1e6)) { _, n in
                (["x": .number(Double(n))], UInt64(100 + n))
            })
            try store.reportIntermediate(number: claim.number, epoch: 1, value: value + 0.1, token: "w")
            // A best package offered with each: kept in the database (a one-file folder will do).
            let best = BestCandidate(write: { path in
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                try Data("{}".utf8).write(to: URL(fileURLWithPath: path).appendingPathComponent("manifest.json"))
            }, testMetrics: nil)
            _ = try store.commit(TrialResult(number: claim.number, state: .complete, value: value, seconds: 1), token: "w", best: best)
        }
        _ = try store.claimTrial(maxEvals: 3, worker: worker, lease: TrialLease(staleAfter: 1e6)) { _, n in (["x": .number(Double(n))], 1) }

        var config = ServeConfiguration(modelsDirectory: nil)
        config.studyStorages = [server.url]
        XCTAssertThrowsError(try RecurServer(config)) { XCTAssertTrue("\($0)".contains("--study NAME"), "\($0)") }
        let running = try await fixture.startServer(studies: [server.url], studyNames: ["pgdash"], withModels: false)
        let list = try running.send("GET", "/api/studies", contentType: nil)
        XCTAssertEqual(list.status, 200, list.body)
        XCTAssertTrue(list.body.contains("\"pgdash\""), list.body)
        let study = try running.send("GET", "/api/studies/pgdash", contentType: nil)
        XCTAssertEqual(study.status, 200, study.body)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(study.body.utf8)) as? [String: Any])
        let trials = try XCTUnwrap(object["trials"] as? [[String: Any]], study.body)
        XCTAssertEqual(trials.map { $0["number"] as? Int }, [0, 1, 2])
        XCTAssertEqual(trials.map { $0["state"] as? String }, ["complete", "complete", "running"])
        XCTAssertEqual(trials[1]["value"] as? Double, 0.3)
        XCTAssertNotNil(trials[0]["intermediate"], study.body)
        XCTAssertNotNil(object["change"] as? Int, study.body)
        XCTAssertEqual(object["incremental"] as? Bool, false)
        let after = try running.send("GET", "/api/studies/pgdash?after=0", contentType: nil)
        XCTAssertEqual(after.status, 200, after.body)
        XCTAssertEqual(((try JSONSerialization.jsonObject(with: Data(after.body.utf8)) as? [String: Any])?["trials"] as? [Any])?.count, 3,
                       "after=0: every trial")
        let page = try running.send("GET", "/studies/pgdash", contentType: nil)
        XCTAssertEqual(page.status, 200)
        // The best package lives in the database: the page says how to fetch it.
        XCTAssertTrue(page.body.contains("stored in the study's database"), page.body)
        XCTAssertTrue(page.body.contains("recur study best postgresql://") && page.body.contains("--study pgdash --export DIR"), page.body)
        XCTAssertFalse(page.body.contains("not in the models folder"), page.body)
        await running.stop()
        XCTAssertEqual(try store.trials().map(\.state), [.complete, .complete, .running], "the dashboard wrote nothing")
    }

    func testAfterNAnswersOnlyTheTrialsChangedSinceN() async throws {
        let server = try requireServer()
        let store = try PostgresStudyStore(url: try PostgresURL(server.url), name: "pgafter", create: true)
        try store.attach(StudyRecord(name: "pgafter", configHash: "fnv1a64:0000000000000002", configJSON: "{}", objective: "val_loss",
                                     sampler: "random", seed: 1, maxEvals: 8, bestPackage: "in the database"))
        let worker = WorkerIdentity(pid: getpid(), host: "test-host", token: "w")
        func claim() throws -> StudyClaim {
            try XCTUnwrap(try store.claimTrial(maxEvals: 8, worker: worker, lease: TrialLease(staleAfter: 1e6)) { _, n in
                (["x": .number(Double(n))], UInt64(100 + n))
            })
        }
        for value in [0.7, 0.3, 0.5] {
            let c = try claim()
            try store.reportIntermediate(number: c.number, epoch: 1, value: value + 0.1, token: "w")
            _ = try store.commit(TrialResult(number: c.number, state: .complete, value: value, seconds: 1), token: "w", best: nil)
        }
        let running = try claim()
        XCTAssertEqual(running.number, 3)
        let served = try await fixture.startServer(studies: [server.url], studyNames: ["pgafter"], withModels: false)
        func get(_ query: String) throws -> [String: Any] {
            let r = try served.send("GET", "/api/studies/pgafter" + query, contentType: nil)
            XCTAssertEqual(r.status, 200, r.body)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any], r.body)
        }
        func numbers(_ answer: [String: Any]) -> [Int?] { ((answer["trials"] as? [[String: Any]]) ?? []).map { $0["number"] as? Int } }

        let first = try get("")
        XCTAssertEqual(numbers(first), [0, 1, 2, 3])
        let change = try XCTUnwrap(first["change"] as? Int)
        let none = try get("?after=\(change)")
        XCTAssertEqual(numbers(none), [], "nothing changed since")
        XCTAssertEqual(none["incremental"] as? Bool, true)
        XCTAssertEqual(none["total"] as? Int, 4, "counts are of the whole study")
        XCTAssertEqual(none["counts"] as? [String: Int], ["running": 1, "complete": 3, "pruned": 0, "failed": 0])
        XCTAssertEqual((none["best"] as? [String: Any])?["number"] as? Int, 1)

        // A heartbeat alone is no change; an intermediate value is, and so is the finish.
        try store.heartbeat(token: "w")
        XCTAssertEqual(numbers(try get("?after=\(change)")), [], "a heartbeat is no change")
        try store.reportIntermediate(number: 3, epoch: 1, value: 0.45, token: "w")
        let one = try get("?after=\(change)")
        XCTAssertEqual(numbers(one), [3], "only the trial that changed")
        XCTAssertEqual(((one["trials"] as? [[String: Any]])?.first?["intermediate"] as? [String: Double]), ["1": 0.45])
        let next = try XCTUnwrap(one["change"] as? Int)
        XCTAssertEqual(numbers(try get("?after=\(next)")), [], "the new mark is past that change")
        _ = try store.commit(TrialResult(number: 3, state: .complete, value: 0.2, seconds: 1), token: "w", best: nil)
        let finished = try get("?after=\(next)")
        XCTAssertEqual(numbers(finished), [3])
        XCTAssertEqual((finished["trials"] as? [[String: Any]])?.first?["state"] as? String, "complete")
        XCTAssertEqual((finished["best"] as? [String: Any])?["number"] as? Int, 3)
        XCTAssertEqual(finished["counts"] as? [String: Int], ["running": 0, "complete": 4, "pruned": 0, "failed": 0])
        XCTAssertEqual(numbers(try get("?after=0")), [0, 1, 2, 3])
        // The list answers from the same marks.
        let list = try served.send("GET", "/api/studies", contentType: nil)
        XCTAssertTrue(list.body.contains("\"change\":"), list.body)
        await served.stop()
    }

    /// A change made by a transaction that began before another one that committed first is
    /// still answered once it commits: the mark is the snapshot's oldest running transaction,
    /// not the highest number seen (with a plain sequence, this trial would be missed for ever).
    func testAChangeCommittedAfterALaterOneIsNotMissed() throws {
        let server = try requireServer()
        let url = try PostgresURL(server.url)
        let store = try PostgresStudyStore(url: url, name: "pgorder", create: true)
        try store.attach(StudyRecord(name: "pgorder", configHash: "fnv1a64:0000000000000003", configJSON: "{}", objective: "val_loss",
                                     sampler: "random", seed: 1, maxEvals: 8, bestPackage: "in the database"))
        let worker = WorkerIdentity(pid: getpid(), host: "test-host", token: "w")
        for _ in 0..<2 {
            _ = try store.claimTrial(maxEvals: 8, worker: worker, lease: TrialLease(staleAfter: 1e6)) { _, n in (["x": .number(Double(n))], 1) }
        }
        let reader = PostgresStudyReader(url: url, name: "pgorder")
        let start = try XCTUnwrap(try reader.read(changedAfter: nil).change)
        let id = try store.id()
        var seenWhileOpen: StudyReadout?
        try PostgresPool.shared(for: url).run { s in
            try s.transaction {
                // Trial 0 changes first, in a transaction that stays open ...
                try s.query("UPDATE recur_trial SET value = 0.9 WHERE study = \(id) AND number = 0")
                // ... while trial 1 changes and commits (another connection).
                _ = try store.commit(TrialResult(number: 1, state: .complete, value: 0.4, seconds: 1), token: "w", best: nil)
                seenWhileOpen = try reader.read(changedAfter: start)
            }
        }
        let open = try XCTUnwrap(seenWhileOpen)
        XCTAssertEqual(open.trials.map(\.number), [1], "the committed change only")
        let mark = try XCTUnwrap(open.change)
        let after = try reader.read(changedAfter: mark)
        XCTAssertTrue(after.trials.map(\.number).contains(0), "the change committed later is answered: \(after.trials.map(\.number))")
        XCTAssertEqual(after.trials.first { $0.number == 0 }?.value, 0.9)
        let settled = try XCTUnwrap(after.change)
        XCTAssertEqual(try reader.read(changedAfter: settled).trials.map(\.number), [])
    }

    /// A database of schema 1 (before the change marks): read as it is (every trial, no mark),
    /// never migrated by the reader; a worker of this Recur migrates it, and from then on
    /// `?after=N` is incremental, old trials included.
    func testAVersion1DatabaseIsReadWholeThenMigrates() throws {
        let server = try requireServer()
        try PostgresPool.shared(for: try PostgresURL(server.url)).run { try $0.query("CREATE DATABASE recur_v1") }
        let url = try PostgresURL("postgresql://\(server.user)@\(server.host):\(server.port)/recur_v1")
        let pool = PostgresPool.shared(for: url)
        try pool.run { s in
            try s.transaction {
                try s.query("CREATE TABLE recur_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)")
                for statement in PostgresStudySchema.migrations[0] { try s.query(PostgresQuery(unsafeSQL: statement)) }
                try s.query("INSERT INTO recur_schema (id, version) VALUES (1, 1)")
                try s.query("""
                    INSERT INTO recur_study (name, config_hash, config_json, objective, sampler, seed, max_evals, created_at)
                    VALUES ('old', 'fnv1a64:0000000000000004', '{}', 'val_loss', 'random', 1, 5, 1700000000)
                    """)
                for n in 0..<2 {
                    try s.query(PostgresQuery(unsafeSQL: """
                        INSERT INTO recur_trial (study, number, state, params_json, value, started_at, finished_at, seed)
                        SELECT id, \(n), 'complete', '{"x": \(n)}', \(0.5 + Double(n)), 1700000000, 1700000001, 1 FROM recur_study
                        """))
                    try s.query("INSERT INTO recur_intermediate (study, trial, epoch, value) SELECT id, \(n), 1, 0.9 FROM recur_study")
                }
            }
        }
        let reader = PostgresStudyReader(url: url, name: "old")
        let before = try reader.read(changedAfter: 0)
        XCTAssertEqual(before.trials.map(\.number), [0, 1])
        XCTAssertNil(before.change, "schema 1 has no change marks")
        XCTAssertFalse(before.incremental)
        XCTAssertEqual(try PostgresStudySchema.version(pool), 1, "the reader migrated nothing")

        let store = try PostgresStudyStore(url: url, name: "old", create: true)
        XCTAssertEqual(try PostgresStudySchema.version(pool), PostgresStudySchema.version)
        let full = try reader.read(changedAfter: nil)
        XCTAssertEqual(full.trials.map(\.number), [0, 1])
        XCTAssertEqual(full.trials.map { $0.record.intermediate }, [[1: 0.9], [1: 0.9]])
        let mark = try XCTUnwrap(full.change)
        XCTAssertEqual(try reader.read(changedAfter: mark).trials.map(\.number), [])
        XCTAssertTrue(try reader.read(changedAfter: mark).incremental)
        XCTAssertEqual(try reader.read(changedAfter: 0).trials.map(\.number), [0, 1], "after=0: the old trials too")
        let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 5, worker: WorkerIdentity(pid: getpid(), host: "h", token: "t"),
                                                      lease: TrialLease(staleAfter: 1e6)) { _, n in (["x": .number(Double(n))], 1) })
        XCTAssertEqual(claim.number, 2)
        XCTAssertEqual(try reader.read(changedAfter: mark).trials.map(\.number), [2])
    }
}
