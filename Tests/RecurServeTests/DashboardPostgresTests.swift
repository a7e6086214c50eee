import Foundation
@testable import RecurServe
import RecurTestSupport
import RecurTune
import RecurTunePostgres
import XCTest

/// The dashboard on a PostgreSQL study (`--storage postgresql://… --study NAME`): a study
/// written through `PostgresStudyStore` on a real server (scripts/pg-test-server.sh) is read by
/// the JSON API over a real socket (curl), trials and all, and never written to.
final class DashboardPostgresTests: PostgresTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testAPostgreSQLStudyIsServedByTheJSONAPI() async throws {
        let server = try requireServer()
        let url = try PostgresURL(server.url)
        let store = try PostgresStudyStore(url: url, name: "pgdash", create: true)
        try store.attach(StudyRecord(name: "pgdash", configHash: "fnv1a64:0000000000000001", configJSON: "{}", objective: "val_loss",
                                     sampler: "random", seed: 1, maxEvals: 3, bestPackage: "in the database"))
        let worker = WorkerIdentity(pid: getpid(), host: "test-host", token: "w")
        for value in [0.7, 0.3] {
            let claim = try XCTUnwrap(try store.claimTrial(maxEvals: 3, worker: worker, lease: TrialLease(staleAfter: 1e6)) { _, n in
                (["x": .number(Double(n))], UInt64(100 + n))
            })
            try store.reportIntermediate(number: claim.number, epoch: 1, value: value + 0.1, token: "w")
            _ = try store.commit(TrialResult(number: claim.number, state: .complete, value: value, seconds: 1), token: "w", best: nil)
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
        // No change counter in the PostgreSQL schema yet: ?after=N answers every trial.
        let after = try running.send("GET", "/api/studies/pgdash?after=0", contentType: nil)
        XCTAssertEqual(after.status, 200, after.body)
        XCTAssertEqual(((try JSONSerialization.jsonObject(with: Data(after.body.utf8)) as? [String: Any])?["trials"] as? [Any])?.count, 3)
        let page = try running.send("GET", "/studies/pgdash", contentType: nil)
        XCTAssertEqual(page.status, 200)
        await running.stop()
        XCTAssertEqual(try store.trials().map(\.state), [.complete, .complete, .running], "the dashboard wrote nothing")
    }
}
