import Foundation
import RecurTrain
@testable import RecurTune
import XCTest

/// A running trial's worker is judged by its runner's lock of life (`RunnerScratch`, issue 9,
/// item 1): a free lock is a dead runner even when its pid now belongs to another process,
/// a held lock a live one even when its heartbeat is old.
final class RunnerLivenessTests: XCTestCase {
    var fixture: StudyFixture!

    override func setUpWithError() throws { fixture = try StudyFixture() }
    override func tearDown() { fixture = nil }

    var path: String { fixture.dir.appendingPathComponent("s.study.sqlite").path }

    func running(_ n: Int, pid: Int32, host: String, token: String, heartbeat: Double) -> StoredTrial {
        StoredTrial(record: TrialRecord(number: n, params: ["x": .number(Double(n))], state: .running, intermediate: [:]),
                    started: heartbeat, seed: 3, workerPID: pid, workerHost: host, workerToken: token, heartbeat: heartbeat, attempts: 1)
    }

    func testTheLockOfLifeDecidesOverThePidAndTheHeartbeat() throws {
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(StudyRecord(name: "s", configHash: "h", configJSON: "{}", objective: "val_loss", sampler: "tpe", seed: 1,
                                       maxEvals: 3, bestPackage: "/x/s.best"))
        let scratch = StudyPaths(storage: path).scratch
        let me = WorkerIdentity.current()
        LiveWorkers.insert(me.token)
        defer { LiveWorkers.remove(me.token) }
        let now = Date().timeIntervalSince1970
        // Trial 0: its runner died, and its pid (1 here) is a live process now: the free lock tells.
        let deadRunner = RunnerScratch(root: scratch, token: "dead-runner")
        try deadRunner.acquire()
        let lockPath = RunnerScratch.lockPath(root: scratch, token: "dead-runner")
        deadRunner.releaseLockOnly()
        XCTAssertTrue(FileManager.default.fileExists(atPath: lockPath))
        try storage.insert(running(0, pid: 1, host: me.host, token: "dead-runner", heartbeat: now))
        // Trial 1: a live runner (its lock held here) that has not beaten its heart for an hour.
        let liveRunner = RunnerScratch(root: scratch, token: "live-runner")
        try liveRunner.acquire()
        defer { liveRunner.release() }
        try storage.insert(running(1, pid: 1, host: "elsewhere", token: "live-runner", heartbeat: now - 3600))

        XCTAssertEqual(RunnerScratch.liveness(root: scratch, token: "dead-runner"), .dead)
        XCTAssertEqual(RunnerScratch.liveness(root: scratch, token: "live-runner"), .alive)
        XCTAssertEqual(RunnerScratch.liveness(root: scratch, token: "never-was"), .unknown)
        var claimed: [Int] = []
        while let c = try storage.claimTrial(maxEvals: 2, worker: me, staleAfter: 300, scratch: scratch,
                                             propose: { _, _ in XCTFail("no new trial"); return ([:], 0) }) {
            claimed.append(c.number)
        }
        XCTAssertEqual(claimed, [2], "the dead runner's trial is retried (as trial 2); the live runner's is left alone")
        let trials = try storage.trials()
        XCTAssertEqual(trials.map(\.state), [.failed, .running, .running])
        XCTAssertEqual(trials[2].retryOf, 0)
        XCTAssertEqual(trials[1].workerToken, "live-runner")

        // What the dead runner left is swept; the live runner's folder stays.
        RunnerScratch.sweep(root: scratch)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: scratch))
        XCTAssertEqual(left, ["live-runner", "live-runner.lock"])
    }
}
