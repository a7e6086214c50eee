import Foundation
import RecurTestSupport
import RecurTrain
import RecurTune
import RecurTunePostgres
import XCTest

/// The read paths that grow with a study, on both stores (SQLite, and PostgreSQL on a real
/// server): the sampler's view at each claim (PostgreSQL keeps the finished trials it has read
/// and reads only the rest) is, claim after claim, what a full read of the study gives, while
/// other workers finish trials out of order; an imported study (several INSERT batches) reads
/// back exactly.
final class StudyReadPathTests: PostgresTestCase {
    var dir: URL!
    var tokens: [String] = []

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-reads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for t in tokens { LiveWorkers.remove(t) }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Two handles on one new study per store (as two worker processes have): the claims go
    /// through the first, the other worker's commits through the second.
    func stores(_ name: String) throws -> [(String, any StudyStore, any StudyStore)] {
        let path = dir.appendingPathComponent("\(name).study.sqlite").path
        let sqlite = try StudyStorage.open(path: path, create: true)
        let sqlite2 = try StudyStorage.open(path: path, create: true)
        let server = try requireServer()
        let study = name + "-" + UUID().uuidString.prefix(8)
        let pg = try PostgresStudyStore(url: try PostgresURL(server.url), name: study, create: true)
        let pg2 = try PostgresStudyStore(url: try PostgresURL(server.url), name: study, create: true)
        return [("sqlite", sqlite, sqlite2), ("postgresql", pg, pg2)]
    }

    func record(_ name: String, maxEvals: Int) -> StudyRecord {
        StudyRecord(name: name, configHash: "fnv1a64:0000000000000002", configJSON: "{}", objective: "val_loss", sampler: "random",
                    seed: 1, maxEvals: maxEvals, bestPackage: dir.appendingPathComponent("\(name).study.best").path)
    }

    func worker(_ token: String) -> WorkerIdentity {
        LiveWorkers.insert(token)
        tokens.append(token)
        return WorkerIdentity(pid: getpid(), host: "test-host", token: token)
    }

    func testTheSamplerSeesWhatAFullReadSeesClaimAfterClaim() throws {
        for (kind, store, other) in try stores("view") {
            try store.attach(record("view", maxEvals: 12))
            let lease = TrialLease(staleAfter: 1e6)
            let me = worker("me-\(kind)"), them = worker("them-\(kind)")
            var seen: [[TrialRecord]] = [], truth: [[TrialRecord]] = []
            func claim(_ w: WorkerIdentity) throws -> Int {
                let before = try store.trials().map(\.record)
                let c = try XCTUnwrap(try store.claimTrial(maxEvals: 12, worker: w, lease: lease) { records, number in
                    seen.append(records)
                    return (["x": .number(Double(number) / 10), "kind": .string(number % 2 == 0 ? "lstm" : "gru"), "on": .bool(number % 3 == 0)],
                            UInt64(number))
                }, kind)
                truth.append(before)
                return c.number
            }
            // Their trials 0 and 2 stay running while mine finish; then theirs finish out of order.
            let t0 = try claim(them), t1 = try claim(me), t2 = try claim(them)
            try store.reportIntermediate(number: t1, epoch: 1, value: 0.7, token: me.token)
            XCTAssertTrue(try store.finish(TrialResult(number: t1, state: .complete, value: 0.7, seconds: 1), token: me.token))
            let t3 = try claim(me)
            try other.reportIntermediate(number: t2, epoch: 1, value: 0.9, token: them.token)
            try other.reportIntermediate(number: t2, epoch: 2, value: 0.6, token: them.token)
            XCTAssertTrue(try other.finish(TrialResult(number: t2, state: .pruned, value: 0.6, seconds: 1), token: them.token))
            XCTAssertTrue(try store.finish(TrialResult(number: t3, state: .failed, value: nil, seconds: 1, error: "x"), token: me.token))
            _ = try claim(me)
            try other.reportIntermediate(number: t0, epoch: 1, value: 0.2, token: them.token)
            XCTAssertTrue(try other.finish(TrialResult(number: t0, state: .complete, value: 0.2, seconds: 1), token: them.token))
            _ = try claim(me)
            _ = try claim(them)
            XCTAssertEqual(seen.count, truth.count, kind)
            for (k, (s, t)) in zip(seen, truth).enumerated() {
                XCTAssertEqual(s, t, "\(kind): the sampler's view at claim \(k)")
            }
            let last = try XCTUnwrap(seen.last)
            XCTAssertEqual(last.map(\.state), [.complete, .complete, .pruned, .failed, .running, .running], kind)
            XCTAssertEqual(last[2].intermediate, [1: 0.9, 2: 0.6], kind)
            XCTAssertEqual(last[0].params["kind"], .string("lstm"), kind)
            XCTAssertEqual(last[0].params["on"], .bool(true), kind)
        }
    }

    func testAnImportedStudyReadsBackExactly() throws {
        for (kind, store, other) in try stores("import") {
            try store.attach(record("import", maxEvals: 1300))
            let rows = (0..<1234).map { k -> StoredTrial in
                let value = 1 / Double(k + 3)
                let m = MetricSet(rmse: value * 1.5, mae: value, r2: k % 7 == 0 ? nil : 0.5, maxError: 3 * value, mape: nil, smape: 2.5,
                                  mase: 0.75, count: 100 + k)
                var values: [Int: Double] = [:]
                for e in 1...(k % 4 + 1) { values[e] = value + 0.001 * Double(e) }
                let params: [String: SearchValue] = ["lr": .number(1e-4 * Double(k + 1)), "layer": .string(k % 2 == 0 ? "lstm" : "gru"),
                                                     "tied": .bool(k % 5 == 0)]
                return StoredTrial(record: TrialRecord(number: k, params: params, state: k % 9 == 8 ? .pruned : .complete, value: value,
                                                       intermediate: values),
                                   started: 1_700_000_000 + Double(k), finished: 1_700_000_010.25 + Double(k), seconds: 10.25,
                                   seed: UInt64.max - UInt64(k), error: k % 11 == 0 ? "a \"quoted\" error" : nil,
                                   metrics: SplitMetrics(train: m, validation: m), epochs: k % 4 + 1, workerPID: 77, workerHost: "h",
                                   workerToken: "t\(k)", attempts: 1 + k % 2)
            }
            if let pg = store as? PostgresStudyStore { try pg.insert(contentsOf: rows) }
            if let sqlite = store as? StudyStorage { try sqlite.insert(contentsOf: rows) }
            XCTAssertEqual(try other.trials(), rows, kind)
            var sampled: [TrialRecord] = []
            _ = try store.claimTrial(maxEvals: 1300, worker: worker("w-\(kind)"), lease: TrialLease(staleAfter: 1e6)) { records, number in
                sampled = records
                XCTAssertEqual(number, 1234, kind)
                return ([:], 0)
            }
            XCTAssertEqual(sampled, rows.map(\.record), kind)
        }
    }
}
