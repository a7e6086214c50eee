import Foundation
import RecurTensor
import RecurTestSupport
import RecurTrain
@testable import RecurTune
import XCTest

/// The trial runner on a tiny synthetic problem: budgets, resume, failures, parallel trials,
/// the best package and the trials CSV.
final class StudyRunnerTests: XCTestCase {
    var fixture: StudyFixture!

    override func setUpWithError() throws { fixture = try StudyFixture() }
    override func tearDown() { fixture = nil }

    let learningRate = #""training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}"#

    func testRunsMaxEvalsTrialsAndKeepsTheBestTrialsPackage() throws {
        let config = try fixture.config(search: #"{"max_evals": 3, "sampler": "random", "space": {\#(learningRate), "window.n_past_steps": {"choice": [3, 4]}}}"#)
        let lines = LineCollector()
        let runner = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath, progress: { lines.append($0) }))
        let summary = try runner.run()
        XCTAssertEqual(summary.trials, [.complete: 3, .pruned: 0, .failed: 0, .running: 0])
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(summary)) as? [String: Any]
        XCTAssertEqual(encoded?["trials"] as? [String: Int], ["complete": 3, "pruned": 0, "failed": 0, "running": 0], "keyed by the states' names")
        let trials = try runner.store.trials()
        XCTAssertEqual(trials.map(\.number), [0, 1, 2])
        XCTAssertTrue(trials.allSatisfy { $0.record.intermediate.count == 2 && $0.value == $0.record.intermediate.values.min() })
        XCTAssertTrue(trials.allSatisfy { $0.metrics?.validation != nil && $0.metrics?.test == nil }, "no test metrics per trial")
        XCTAssertEqual(lines.lines.count, 3, "one progress line per finished trial")
        XCTAssertTrue(lines.lines[0].hasPrefix("trial 0 complete: val_loss"), lines.lines[0])

        let best = try XCTUnwrap(summary.best)
        XCTAssertEqual(best.value, trials.compactMap(\.value).min())
        XCTAssertEqual(best.package, runner.paths.bestPackage)
        XCTAssertNotNil(best.testMetrics, "the best package's test metrics are reported")
        let package = try ModelPackage.load(runner.paths.bestPackage)
        XCTAssertEqual(package.manifest.hyperparameters, best.params, "the package records the chosen hyperparameters")
        guard case let .number(x)? = best.params["window.n_past_steps"] else { return XCTFail("no n_past_steps") }
        let steps = Int(x)
        XCTAssertEqual(package.manifest.architecture.inputSteps, steps, "the architecture actually built")
        XCTAssertEqual(package.manifest.config.window.nPastSteps, steps)

        let csv = try String(contentsOfFile: runner.paths.trialsCSV, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 4)
        XCTAssertTrue(csv[0].hasPrefix("number,state,training.optimizer.learning_rate,window.n_past_steps,value,seconds"), String(csv[0]))
        XCTAssertEqual(csv.filter { $0.contains(",yes,") }.count, 1, "the best row is marked")
        XCTAssertFalse(FileManager.default.fileExists(atPath: runner.paths.scratch), "no scratch left")

        // Raising max_evals resumes the same study; running it again at the budget does nothing.
        let more = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath, maxEvals: 4)).run()
        XCTAssertEqual(more.trials[.complete], 4)
        let again = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath, maxEvals: 4)).run()
        XCTAssertEqual(again.trials[.complete], 4)
    }

    func testTheSameSeedGivesTheSameProposals() throws {
        let search = #"{"max_evals": 2, "sampler": "random", "space": {\#(learningRate)}}"#
        var proposals: [[[String: SearchValue]]] = []
        for k in 0..<2 {
            let config = try fixture.config(search: search)
            let path = fixture.dir.appendingPathComponent("s\(k).study.sqlite").path
            let runner = try StudyRunner(config: config, options: StudyOptions(storagePath: path))
            _ = try runner.run()
            proposals.append(try runner.store.trials().map(\.params))
        }
        XCTAssertEqual(proposals[0], proposals[1])
    }

    /// A study written by an earlier Recur echoes its config without the lease keys and in
    /// another key order: read again by this schema it is the same search, so it resumes; a real
    /// change is still refused. Changing the lease keys alone is not a different study.
    func testAStudyFromAnEarlierEchoOfTheSameConfigResumesAndLeaseKeysDoNotCount() throws {
        let config = try fixture.config(search: #"{"max_evals": 3, "space": {\#(learningRate)}}"#)
        var leased = config
        leased.search?.heartbeatSeconds = 2
        leased.search?.maxRetries = 5
        XCTAssertEqual(StudyConfigKey.hash(leased), StudyConfigKey.hash(config))
        // The stored echo: the lease keys gone, the top-level keys reversed.
        let current = StudyConfigKey.json(config)
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(current.utf8)) as? [String: Any])
        var search = try XCTUnwrap(object["search"] as? [String: Any])
        XCTAssertNotNil(search.removeValue(forKey: "heartbeat_seconds"))
        XCTAssertNotNil(search.removeValue(forKey: "max_retries"))
        object["search"] = search
        let earlier = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        XCTAssertNotEqual(earlier, current)
        func record(hash: String, json: String) -> StudyRecord {
            StudyRecord(name: "tiny", configHash: hash, configJSON: json, objective: "val_loss", sampler: "tpe", seed: 7, maxEvals: 3,
                        bestPackage: StudyPaths(storage: fixture.storagePath).bestPackage)
        }
        let storage = try StudyStorage.open(path: fixture.storagePath, create: true)
        try storage.attach(record(hash: "fnv1a64:0000000000000001", json: earlier))
        XCTAssertNoThrow(try storage.attach(record(hash: StudyConfigKey.hash(config), json: current)))
        var other = config
        other.training.epochs += 1
        XCTAssertThrowsError(try storage.attach(record(hash: StudyConfigKey.hash(other), json: StudyConfigKey.json(other)))) { error in
            guard case let TuneError.differentConfig(_, differences)? = error as? TuneError else { return XCTFail("\(error)") }
            XCTAssertTrue(differences.contains { $0.hasPrefix("`training.epochs`") }, "\(differences)")
        }
    }

    func testResumeReRunsTheTrialADeadProcessLeftRunningWithTheSameNumberAndParameters() throws {
        let config = try fixture.config(search: #"{"max_evals": 3, "space": {\#(learningRate)}}"#)
        let storage = try StudyStorage.open(path: fixture.storagePath, create: true)
        try storage.attach(StudyRecord(name: "tiny", configHash: StudyConfigKey.hash(config), configJSON: StudyConfigKey.json(config),
                                       objective: "val_loss", sampler: "tpe", seed: 7, maxEvals: 3,
                                       bestPackage: StudyPaths(storage: fixture.storagePath).bestPackage))
        // A crash: trial 0 complete, trial 1 left running by a process that is gone.
        let host = WorkerIdentity.current().host
        let params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(0.0123)]
        try storage.insert(StoredTrial(record: TrialRecord(number: 0, params: ["training.optimizer.learning_rate": .number(0.004)], state: .complete,
                                                           value: 0.5, intermediate: [1: 0.6, 2: 0.5]),
                                       started: 1, finished: 2, seconds: 1, seed: 7, attempts: 1))
        try storage.insert(StoredTrial(record: TrialRecord(number: 1, params: params, state: .running, intermediate: [1: 0.9]),
                                       started: Date().timeIntervalSince1970, seed: 7, workerPID: try StudyFixture.deadPID(),
                                       workerHost: host, workerToken: "crashed", heartbeat: Date().timeIntervalSince1970, attempts: 1))

        let summary = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath)).run()
        // The lost trial is failed and re-run as trial 2, linked to it; its place in the budget
        // of 3 is the retry's, so one new trial (3) completes the study.
        XCTAssertEqual(summary.trials, [.complete: 3, .pruned: 0, .failed: 1, .running: 0])
        let trials = try storage.trials()
        XCTAssertEqual(trials.map(\.number), [0, 1, 2, 3], "nothing lost, nothing counted twice")
        XCTAssertEqual(trials.map(\.state), [.complete, .failed, .complete, .complete])
        XCTAssertEqual(trials.map(\.retryOf), [nil, nil, 1, nil])
        XCTAssertTrue(trials[1].error?.hasPrefix("lost: ") == true, trials[1].error ?? "nil")
        XCTAssertEqual(trials[1].record.intermediate, [1: 0.9], "the lost run's values stay with it")
        XCTAssertEqual(trials[2].params, params, "re-run with the same parameters")
        XCTAssertEqual(trials[2].seed, 7, "and the same seed")
        XCTAssertEqual(trials[2].record.intermediate.keys.sorted(), [1, 2], "its epochs recorded afresh")
        XCTAssertEqual(trials[0].value, 0.5, "a finished trial is not touched")
        XCTAssertEqual(StudyBudget.finished(trials), 3)
    }

    func testAFailingTrialIsRecordedFailedWithItsErrorAndTheStudyGoesOn() throws {
        // 10000 steps: no complete window in any part, so that trial throws. (Seeded: the same
        // proposals every run, both values among them.)
        let config = try fixture.config(search: #"{"max_evals": 5, "sampler": "random", "seed": 1, "space": {"window.n_past_steps": {"choice": [10000, 4]}}}"#)
        let runner = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath))
        let summary = try runner.run()
        let trials = try runner.store.trials()
        XCTAssertEqual(trials.count, 5)
        XCTAssertEqual(summary.trials[.running], 0)
        let failed = trials.filter { $0.state == .failed }, complete = trials.filter { $0.state == .complete }
        XCTAssertEqual(failed.count + complete.count, 5)
        XCTAssertFalse(failed.isEmpty, "seed 1 proposes 10000 at least once")
        XCTAssertFalse(complete.isEmpty, "and 4 at least once")
        for t in failed {
            XCTAssertEqual(t.params["window.n_past_steps"], .number(10000))
            XCTAssertNil(t.value)
            XCTAssertTrue(t.error?.contains("n_past_steps (10000)") == true, t.error ?? "no error")
        }
        XCTAssertTrue(complete.allSatisfy { $0.params["window.n_past_steps"] == .number(4) && $0.value != nil })
        XCTAssertNotNil(summary.best)
    }

    func testTwoJobsRunTrialsAtOnceWithDistinctNumbers() throws {
        let config = try fixture.config(search: #"{"max_evals": 6, "jobs": 2, "startup_trials": 2, "space": {\#(learningRate), "window.n_past_steps": {"int": [2, 5]}}}"#)
        restoreProcessSettingsAfterTest()
        Parallel.threadCount = 2
        BLAS.setThreadCount(2)
        let blasBefore = BLAS.threadCount
        let runner = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath))
        let summary = try runner.run()
        XCTAssertEqual(Parallel.threadCount, 2, "the study's one thread per trial is undone when it ends")
        XCTAssertEqual(BLAS.threadCount, blasBefore)
        XCTAssertEqual(summary.trials[.complete], 6)
        XCTAssertEqual(summary.trials[.running], 0)
        let trials = try runner.store.trials()
        XCTAssertEqual(trials.map(\.number), Array(0..<6))
        XCTAssertEqual(Set(trials.map { ParamsJSON.encode($0.params) }).count, 6, "no point proposed twice")
        XCTAssertNotNil(summary.best?.package)
        XCTAssertNoThrow(try ModelPackage.load(runner.paths.bestPackage))
    }

    func testAMetricObjectiveIsComputedEveryEpoch() throws {
        let config = try fixture.config(search: #"{"max_evals": 1, "objective": "val_rmse", "space": {\#(learningRate)}}"#)
        let runner = try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath))
        let summary = try runner.run()
        let trial = try XCTUnwrap(try runner.store.trials().first)
        XCTAssertEqual(trial.record.intermediate.count, 2)
        // The RMSE of each epoch's model in degrees, not the scaled loss: the last epoch's is
        // the final model's validation RMSE.
        XCTAssertEqual(trial.value, trial.record.intermediate.values.min())
        XCTAssertEqual(trial.record.intermediate[2]!, trial.metrics!.validation!.rmse, accuracy: 1e-9)
        XCTAssertEqual(summary.objective, "val_rmse")
    }

    func testThePruningCallbackRecordsEachEpochAndStopsWhenThePrunerSays() throws {
        struct Always: Pruner {
            func shouldPrune(trial: TrialRecord, step: Int, trials: [TrialRecord]) -> Bool { step >= 2 }
        }
        let config = try fixture.config(search: #"{"space": {\#(learningRate)}}"#)
        let storage = try StudyStorage.open(path: fixture.storagePath, create: true)
        let me = WorkerIdentity.current()
        _ = try storage.claimTrial(maxEvals: 1, worker: me, staleAfter: 300) { _, _ in (["x": .number(1)], 1) }
        let callback = TrialPruningCallback(store: storage, number: 0, params: ["x": .number(1)], token: me.token,
                                            objective: "val_loss", pruner: Always())
        let model = try config.architecture().build(seed: 1)
        let optimizer = try OptimizerConfig(name: .adam).makeOptimizer()
        func epoch(_ n: Int, _ v: Double?) -> EpochRecord { EpochRecord(epoch: n, loss: 1, validationLoss: v, learningRate: 0.001, seconds: 0) }
        XCTAssertEqual(try callback.epochDidEnd(epoch(1, 0.4), model: model, optimizer: optimizer), .proceed)
        XCTAssertEqual(try callback.epochDidEnd(epoch(2, nil), model: model, optimizer: optimizer), .proceed, "no validation this epoch")
        XCTAssertEqual(try callback.epochDidEnd(epoch(3, 0.3), model: model, optimizer: optimizer), .stop(reason: "pruned"))
        XCTAssertTrue(callback.pruned)
        XCTAssertEqual(callback.best, 0.3)
        XCTAssertEqual(try storage.trials()[0].record.intermediate, [1: 0.4, 3: 0.3])
    }

    /// A backtest trains its folds on one thread each and leaves the process's thread settings
    /// as it found them.
    func testABacktestRestoresTheThreadSettings() throws {
        restoreProcessSettingsAfterTest()
        Parallel.threadCount = 2
        BLAS.setThreadCount(2)
        let blasBefore = BLAS.threadCount
        var config = try fixture.config(search: #"{"max_evals": 1, "space": {\#(learningRate)}}"#, epochs: 1)
        config.search = nil
        var options = BacktestOptions(outputDirectory: fixture.dir.appendingPathComponent("backtest").path)
        options.folds = 2
        options.log = { _ in }
        _ = try Backtest.run(config, options: options)
        XCTAssertEqual(Parallel.threadCount, 2)
        XCTAssertEqual(BLAS.threadCount, blasBefore)
    }

    func testAConfigWithoutASearchSectionCannotBeTuned() throws {
        var config = try fixture.config(search: #"{"space": {\#(learningRate)}}"#)
        config.search = nil
        XCTAssertThrowsError(try StudyRunner(config: config, options: StudyOptions(storagePath: fixture.storagePath))) { error in
            XCTAssertTrue(String(describing: error).contains("`search`"), "\(error)")
            XCTAssertEqual((error as? TuneError)?.isUsage, true)
        }
    }
}

/// Lines gathered from several threads.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
