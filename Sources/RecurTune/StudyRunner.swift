import Foundation
import RecurTensor
import RecurTrain

/// Options of a tuning run that are not in the config.
public struct StudyOptions: Sendable {
    /// The study database (created when missing).
    public var storagePath: String
    /// Overrides `search.max_evals` (`--trials`).
    public var maxEvals: Int?
    /// Overrides `search.jobs` (`--jobs`).
    public var jobs: Int?
    /// The study's store when it is not the SQLite file at `storagePath` (a PostgreSQL
    /// database: `storagePath` is then its URL, for display); nil: open or create the file.
    public var store: (any StudyStore)?
    /// The study's name in a shared store (default: the config file's stem); a SQLite
    /// study's name is its file's.
    public var studyName: String?
    /// A running trial whose worker has not beaten its heart for this long is taken as dead
    /// (default: 3 × `search.heartbeat_seconds`).
    public var staleAfter: Double?
    /// How often a runner beats the heart of the trials it holds (default:
    /// `search.heartbeat_seconds`).
    public var heartbeatInterval: Double?
    /// Warnings that do not stop the run (a late result refused); default: stderr.
    public var warning: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    /// One line per finished trial (progress); nil: silent.
    public var progress: (@Sendable (String) -> Void)?

    public init(storagePath: String, maxEvals: Int? = nil, jobs: Int? = nil,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.storagePath = storagePath
        self.maxEvals = maxEvals
        self.jobs = jobs
        self.progress = progress
    }
}

/// Where a study's files go, from its storage path `<dir>/<name>.study.sqlite`.
public struct StudyPaths: Sendable, Equatable {
    public var storage: String
    /// The study's name: the storage file's name without `.sqlite` / `.db` and `.study`.
    public var name: String
    /// The best trial's model package: `<dir>/<name>.study.best` (the storage path without its
    /// extension, plus `.best`).
    public var bestPackage: String
    /// The CSV of all trials: `<dir>/<name>.study.trials.csv`.
    public var trialsCSV: String
    /// Scratch space for running trials, shared by the processes on the study: each runner
    /// works in its own folder inside and removes it when it ends (`RunnerScratch`).
    public var scratch: String
    /// The lock file every process holds while it commits a trial (`StudyFileLock`):
    /// `<dir>/.<name>.study.lock`.
    public var lock: String
    /// The ensemble of the best trial's settings (`search.ensemble`): `<dir>/<name>.study.ensemble`.
    public var ensemblePackage: String

    public init(storage: String) {
        self.storage = storage
        let url = URL(fileURLWithPath: storage)
        let file = url.lastPathComponent
        var stem = file
        for ext in [".sqlite3", ".sqlite", ".db"] where stem.lowercased().hasSuffix(ext) {
            stem = String(stem.dropLast(ext.count))
            break
        }
        if stem.isEmpty { stem = file }
        var name = stem
        if name.hasSuffix(".study"), name.count > 6 { name = String(name.dropLast(6)) }
        self.name = name
        let folder = url.deletingLastPathComponent().path
        bestPackage = ConfigPaths.join(folder, stem + ".best")
        trialsCSV = ConfigPaths.join(folder, stem + ".trials.csv")
        scratch = ConfigPaths.join(folder, "." + stem + ".running")
        lock = ConfigPaths.join(folder, "." + stem + ".lock")
        ensemblePackage = ConfigPaths.join(folder, stem + ".ensemble")
    }

    /// `<output.directory>/<config file name>.study.sqlite` (`<target>.study.sqlite` without a file).
    public static func defaultStorage(for config: RecurConfig) -> String {
        ConfigPaths.join(config.output.directory, defaultName(for: config) + ".study.sqlite")
    }

    /// A study's default name: the config file's stem (the target without a file).
    public static func defaultName(for config: RecurConfig) -> String {
        config.sourceFile.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? config.data.target
    }
}

/// What a tuning run ends with (the `--json` object of `recur tune`).
public struct StudySummary: Encodable, Sendable {
    /// The best complete trial.
    public struct Best: Encodable, Sendable {
        public var number: Int
        public var params: [String: SearchValue]
        public var value: Double
        /// Its model package, when the study holds one for it.
        public var package: String?
        /// Test metrics of that package (reported, never used to choose).
        public var testMetrics: MetricSet?
        /// Whether that package's model is worse than persistence on the validation part
        /// (its manifest's `worse_than_persistence`; `HonestyGuard`).
        public var worseThanPersistence: Bool? = nil

        enum CodingKeys: String, CodingKey { case number, params, value, package, testMetrics, worseThanPersistence }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(number, forKey: .number)
            try c.encode(params.mapValues(ParamsJSON.Scalar.init), forKey: .params)
            try c.encode(value, forKey: .value)
            try c.encode(package, forKey: .package)
            try c.encodeIfPresent(testMetrics, forKey: .testMetrics)
            try c.encodeIfPresent(worseThanPersistence, forKey: .worseThanPersistence)
        }
    }

    /// The storage path or URL.
    public var study: String
    public var name: String
    public var objective: String
    public var maxEvals: Int
    /// Trials by state, every state present (JSON: `{"complete": 3, "failed": 0, …}`).
    public var trials: [TrialState: Int]
    public var best: Best?
    /// The CSV of all trials (nil for a study in a database server: `recur study export`).
    public var trialsCsv: String?
    /// The ensemble of the best trial's settings (`search.ensemble` > 1); nil without one.
    public var ensemble: EnsembleSummary? = nil

    /// `trials` keyed by the states' names (for `JSONSerialization`).
    public var trialsByName: [String: Int] { Dictionary(uniqueKeysWithValues: trials.map { ($0.key.rawValue, $0.value) }) }

    /// The summary of what `store` holds.
    public static func of(_ store: any StudyStore) throws -> StudySummary {
        guard let study = try store.study() else { throw TuneError.notAStudy(path: store.location, reason: "it holds no study yet") }
        return of(study: study, trials: try store.trials(), path: store.location, local: store.localFiles != nil)
    }

    public static func of(study: StudyRecord, trials: [StoredTrial], path: String, local: Bool = true) -> StudySummary {
        var counts: [TrialState: Int] = [:]
        for s in TrialState.allCases { counts[s] = trials.filter { $0.state == s }.count }
        let best = StudyRunner.bestTrial(trials).map { t in
            Best(number: t.number, params: t.params, value: t.value!,
                 package: study.bestTrial == t.number ? study.bestPackage : nil,
                 testMetrics: study.bestTrial == t.number ? study.bestTestMetrics : nil,
                 worseThanPersistence: study.bestTrial == t.number && local ? HonestyGuard.recorded(packagePath: study.bestPackage) : nil)
        }
        return StudySummary(study: path, name: study.name, objective: study.objective, maxEvals: study.maxEvals, trials: counts,
                            best: best, trialsCsv: local ? StudyPaths(storage: path).trialsCSV : nil)
    }
}

/// The ensemble `recur tune` trains after the search (`search.ensemble`): the best trial's
/// settings from its seed and the next ones, chosen by validation only.
public struct EnsembleSummary: Encodable, Sendable {
    /// The best trial whose settings the members share.
    public var trial: Int
    public var members: Int
    /// The members' seeds, the best trial's first.
    public var seeds: [UInt64]
    /// The ensemble's package.
    public var package: String
    /// The ensemble's validation metrics (original units): what it is judged by.
    public var validation: MetricSet?
    /// Its test metrics (reported, never used to choose).
    public var testMetrics: MetricSet?
    /// Whether the package was already there for the same trial and members (a resumed study).
    public var reused: Bool
    /// Seconds spent training it (0 when reused).
    public var seconds: Double
}

/// Runs a study: proposes trials with the configured sampler, trains each through
/// `TrainingRun` (quietly, on data prepared once per distinct data/window setting), prunes with
/// the configured pruner, and records everything in the study database as it happens, until
/// `max_evals` trials are finished (complete, pruned or failed; a lost trial and its retries
/// count once, `StudyBudget`). Running it again resumes: a trial left `running` by a dead worker
/// is recorded failed and re-run as a new trial with the same parameters and seed, linked to it
/// (`StudyStore`, at most `search.max_retries` times).
///
/// With `jobs` > 1, that many trials train at once, one thread each (BLAS on one thread), each
/// with its own model and optimizer; proposals are made one at a time inside the database's
/// write transaction, so the sampler sees every running trial (TPE's constant liar).
///
/// The best complete trial's package is kept at `StudyPaths.bestPackage` (written atomically
/// before the trial is committed as complete), and the CSV of all trials is rewritten after
/// every finished trial.
public final class StudyRunner: @unchecked Sendable {
    public let config: RecurConfig
    public let search: SearchConfig
    public let options: StudyOptions
    public let paths: StudyPaths
    public let store: any StudyStore
    public let space: SearchSpace
    let sampler: any Sampler
    let pruner: any Pruner
    let maxEvals: Int
    let jobs: Int
    let seed: UInt64
    let worker: WorkerIdentity
    let lease: TrialLease
    let heartbeatInterval: Double
    /// This runner's folder of running trials and its lock of life.
    let scratch: RunnerScratch

    private let lock = NSLock()
    private var dataCache: [String: PreparedDataBox] = [:]
    private var workerError: Error?
    private var stopping = false

    /// Opens (or creates) the study for `config`.
    /// - Throws: `TuneError` (no `search` section, storage problems, a study of another
    ///   config), `ConfigError`.
    public init(config: RecurConfig, options: StudyOptions) throws {
        guard var search = config.search else {
            throw TuneError.notTunable("the config\(config.sourceFile.map { " \($0)" } ?? "") has no `search` section (or `hyperopt_pars` in a template): nothing to tune; see docs/config.md")
        }
        if let m = options.maxEvals {
            guard m >= 1 else { throw TuneError.notTunable("--trials must be at least 1, got \(m)") }
            search.maxEvals = m
        }
        if let j = options.jobs {
            guard j >= 1 else { throw TuneError.notTunable("--jobs must be at least 1, got \(j)") }
            search.jobs = j
        }
        if config.training.ensemble > 1 {
            throw TuneError.notTunable("`training.ensemble` \(config.training.ensemble) trains \(config.training.ensemble) networks, so a trial could not be pruned or scored as one; set \"training.ensemble\": 1 and `search.ensemble` \(config.training.ensemble) instead: the best trial's settings are then trained as an ensemble after the search")
        }
        if config.scaling == .auto, !search.space.contains(where: { $0.name == "scaling" }) {
            throw TuneError.notTunable("`scaling` \"auto\" trains two models per trial, so a trial could not be pruned as one; make the scaling a search parameter instead: \"scaling\": {\"choice\": [\"minmax\", \"window\"]}")
        }
        self.config = config
        self.search = search
        self.options = options
        if let shared = options.store {
            // A study in a server: only scratch is local (a folder of this host's temp space).
            let name = options.studyName ?? StudyPaths.defaultName(for: config)
            var paths = StudyPaths(storage: ConfigPaths.join(ConfigPaths.join(NSTemporaryDirectory(), "recur-\(getuid())"), name + ".study"))
            paths.name = name
            paths.bestPackage = shared.location
            self.paths = paths
        } else {
            self.paths = StudyPaths(storage: options.storagePath)
        }
        let worker = WorkerIdentity.current()
        self.worker = worker
        scratch = RunnerScratch(root: paths.scratch, token: worker.token)
        do { space = try SearchSpace(search) } catch { throw TuneError.notTunable("the search space: \(error)") }
        sampler = search.makeSampler()
        pruner = search.pruner.make()
        seed = search.seed ?? config.training.seed
        var budget = search.maxEvals
        if search.sampler == .grid, let size = space.gridSize, size < budget { budget = size }
        maxEvals = budget
        jobs = search.jobs
        heartbeatInterval = options.heartbeatInterval ?? search.heartbeatSeconds
        let store = try options.store ?? StudyStorage.open(path: options.storagePath, create: true)
        self.store = store
        lease = TrialLease(staleAfter: options.staleAfter ?? TrialLease.grace(heartbeatSeconds: heartbeatInterval),
                           maxRetries: search.maxRetries, scratch: store.localFiles == nil ? nil : paths.scratch)
        let paths = self.paths
        let record = StudyRecord(name: paths.name, configHash: StudyConfigKey.hash(config), configJSON: StudyConfigKey.json(config),
                                 objective: search.objective, sampler: search.sampler.rawValue, seed: seed,
                                 maxEvals: search.maxEvals, bestPackage: paths.bestPackage)
        if let files = store.localFiles {
            try StudyFileLock(path: files.lock).withLock { _ = try store.attach(record) }
        } else {
            _ = try store.attach(record)
        }
    }

    /// How often an idle worker of a shared study looks for trials running elsewhere, seconds.
    static let idlePoll = 0.1

    /// The complete trial with the lowest value (the lowest number among ties).
    public static func bestTrial(_ trials: [StoredTrial]) -> StoredTrial? {
        trials.filter { $0.state == .complete && $0.value?.isFinite == true }
            .min { ($0.value!, $0.number) < ($1.value!, $1.number) }
    }

    /// Runs trials until `max_evals` are finished, then returns the summary.
    /// - Throws: data errors of the config's own data (before any trial), storage errors.
    public func run() throws -> StudySummary {
        // The config's own data first: a missing file or column is bad input, not a failed trial.
        let base = try prepared(for: config)
        guard base.value.validationSamples != nil else {
            throw TuneError.notTunable("the validation part is empty: tuning chooses on validation values (the test part never chooses); set split.validation > 0")
        }
        // Trials run side by side: each gets one core, so neither BLAS nor the engine splits
        // work; the process's settings are put back when the study ends.
        return try ThreadScope.with(threads: jobs > 1 ? 1 : nil) { try runTrials() }
    }

    /// The study's workers (`jobs` threads), its heartbeat and its scratch, until no trial is left.
    private func runTrials() throws -> StudySummary {
        LiveWorkers.insert(worker.token)
        defer { LiveWorkers.remove(worker.token) }
        let heart = Heartbeat(store: store, token: worker.token, interval: heartbeatInterval)
        heart.start()
        defer { heart.stop() }
        // This runner's own scratch folder and lock of life; what dead runners left goes.
        try scratch.acquire()
        defer { scratch.release() }
        RunnerScratch.sweep(root: paths.scratch)
        if store.localFiles != nil { OwnedLeftovers.sweep(folder: (paths.bestPackage as NSString).deletingLastPathComponent) }

        if jobs == 1 {
            workLoop()
        } else {
            let group = DispatchGroup()
            for k in 0..<jobs {
                group.enter()
                let thread = Thread { [self] in
                    workLoop()
                    group.leave()
                }
                thread.name = "recur-trial-\(k)"
                thread.stackSize = 16 << 20
                thread.start()
            }
            group.wait()
        }
        if let error = lock.withLock({ workerError }) { throw error }
        try writeCSVIfLocal()
        var summary = try StudySummary.of(store)
        if search.ensemble > 1, let best = Self.bestTrial(try store.trials()) {
            summary.ensemble = try trainEnsemble(of: best)
        }
        return summary
    }

    /// Where the ensemble goes: beside a local study, in `output.directory` for a shared one.
    var ensemblePath: String {
        store.localFiles != nil ? paths.ensemblePackage : ConfigPaths.join(config.output.directory, paths.name + ".study.ensemble")
    }

    /// `search.ensemble`: trains `best`'s settings as an ensemble (`training.ensemble`), its
    /// first member from `best`'s seed, and writes its package atomically to `ensemblePath`;
    /// a package already there for the same trial, seed and members is kept.
    func trainEnsemble(of best: StoredTrial) throws -> EnsembleSummary {
        let count = search.ensemble
        var trial = try trialConfig(best.params)
        trial.training.seed = best.seed
        trial.training.ensemble = count
        let seeds = (0..<count).map { Ensemble.seed(best.seed, member: $0) }
        let path = ensemblePath
        func summary(_ manifest: PackageManifest, reused: Bool, seconds: Double) -> EnsembleSummary {
            EnsembleSummary(trial: best.number, members: count, seeds: seeds, package: path, validation: manifest.metrics.validation,
                            testMetrics: manifest.metrics.test, reused: reused, seconds: seconds)
        }
        if let data = FileManager.default.contents(atPath: ConfigPaths.join(path, ModelPackage.manifestFile)),
           let old = try? PackageManifest.decode(data, path: path),
           old.ensemble?.members.map(\.seed) == seeds, old.hyperparameters == best.params,
           StudyConfigKey.json(old.config) == StudyConfigKey.json(trial) {
            return summary(old, reused: true, seconds: 0)
        }
        options.progress?("ensemble: training trial \(best.number)'s settings as \(count) networks (seeds \(seeds.map(String.init).joined(separator: ", "))), chosen by validation only")
        let start = Date()
        var training = TrainingOptions.silent(packagePath: path)
        training.hyperparameters = best.params
        training.writePackage = false
        let run = try TrainingRun.train(trial, prepared: try prepared(for: trial).value, options: training)
        do {
            try run.package.write(to: path)
        } catch {
            throw TuneError.storage(path: path, reason: "cannot write the ensemble's package: \(Self.describe(error))")
        }
        return summary(run.package.manifest, reused: false, seconds: Date().timeIntervalSince(start))
    }

    /// One worker: claims trials and runs them until none is left.
    private func workLoop() {
        while !lock.withLock({ stopping }) {
            do {
                guard let claim = try claim() else {
                    // A shared study's budget may be held by trials running elsewhere: a worker
                    // stays until they finish, or until their heartbeat lapses and it re-runs
                    // them, so that a lost worker's trial is never left behind.
                    // They are looked for every 0.1 s (one indexed query), so the fleet ends within
                    // 0.1 s of its last trial.
                    guard store.localFiles == nil, try store.runsElsewhere(token: worker.token) else { return }
                    Thread.sleep(forTimeInterval: min(heartbeatInterval, Self.idlePoll))
                    continue
                }
                try runTrial(claim)
            } catch {
                lock.withLock {
                    if workerError == nil { workerError = error }
                    stopping = true
                }
                return
            }
        }
    }

    private func claim() throws -> StudyClaim? {
        do {
            return try store.claimTrial(maxEvals: maxEvals, worker: worker, lease: lease) { trials, number in
                let params = try sampler.propose(space: space, trials: trials, number: number, seed: seed)
                let trialSeed = (try? trialConfig(params))?.training.seed ?? config.training.seed
                return (params, trialSeed)
            }
        } catch SamplerError.gridExhausted {
            return nil
        }
    }

    /// The config with a trial's parameters applied (in the space's order).
    func trialConfig(_ params: [String: SearchValue]) throws -> RecurConfig {
        try config.applying(space.parameters.compactMap { p in params[p.name].map { (name: p.name, value: $0) } })
    }

    /// Prepared data for `config`'s data, window, split and scaling, made once.
    private func prepared(for config: RecurConfig) throws -> PreparedDataBox {
        let key = Self.dataKey(config)
        lock.lock()
        defer { lock.unlock() }
        if let hit = dataCache[key] { return hit }
        let box = PreparedDataBox(try DataPreparation.prepare(config))
        dataCache[key] = box
        return box
    }

    static func dataKey(_ config: RecurConfig) -> String {
        let document = config.nativeValue()
        return ["data", "window", "split", "scaling"].map { document[$0]?.description ?? "" }.joined(separator: "\n")
    }

    /// One claimed trial: run, classify, commit, report.
    private func runTrial(_ claim: StudyClaim) throws {
        let run = try train(claim)
        var verdict = classify(run)
        let committed = try commit(claim, run: run, verdict: verdict)
        var stop = run.stopError
        switch committed {
        case .recorded: break
        case .refused:
            // Its heartbeat lapsed (this process was paused, or cut off from the database): another
            // worker recorded the trial failed as lost and re-queued it (`StudyStore`). This late
            // result is dropped, the run goes on.
            options.warning("trial \(claim.number): result refused: the trial was taken from this worker (no heartbeat for over \(String(format: "%g", lease.staleAfter)) s), recorded failed as lost and re-queued as a retry; nothing recorded")
            return
        case let .packageFailed(reason):
            verdict.state = .failed
            verdict.failure = reason
            stop = TuneError.storage(path: paths.bestPackage, reason: reason)
        }
        try report(claim, run: run, verdict: verdict)
        if let stop { throw stop }
    }

    /// What training a trial gave: its outcome and package, or why it failed.
    struct TrialRun {
        var callback: TrialPruningCallback
        var outcome: TrainingOutcome?
        var package: TrainedPackage?
        /// Why training failed (nil when it ran to its end or was pruned).
        var failure: String?
        /// A failure of the machine's storage (a checkpoint or package that cannot be written):
        /// the trial is recorded failed and the study stops.
        var stopError: Error?
        /// Seconds from the claim to the end of training.
        var seconds: Double
    }

    /// A trial's final state, value and error, from its run.
    struct TrialVerdict {
        var state: TrialState
        var value: Double?
        var failure: String?
    }

    /// Step 1: trains the trial quietly on the prepared data (reporting each epoch's value to the
    /// store, which may prune it). The study database failing stops the study (the trial is
    /// recorded failed if it still can be); any other error is the trial's failure.
    private func train(_ claim: StudyClaim) throws -> TrialRun {
        let start = Date()
        let callback = TrialPruningCallback(store: store, number: claim.number, params: claim.params, token: worker.token,
                                            objective: search.objective, pruner: pruner)
        var run = TrialRun(callback: callback, seconds: 0)
        let scratchPackage = ConfigPaths.join(scratch.folder, "trial-\(claim.number)")
        do {
            var trialConfig = try trialConfig(claim.params)
            trialConfig.training.seed = claim.seed
            let data = try prepared(for: trialConfig)
            var training = TrainingOptions()
            training.quiet = true
            training.log = { _ in }
            training.writeResultsRow = false
            training.hyperparameters = claim.params
            training.callbacks = [callback]
            training.validationMetrics = search.objective != "val_loss"
            training.packagePath = scratchPackage
            training.writePackage = false
            let trained = try TrainingRun.train(trialConfig, prepared: data.value, options: training)
            (run.outcome, run.package) = (trained.outcome, trained.package)
        } catch {
            if let storageError = callback.storageError {
                // The study database cannot be written (a full disk): record the trial failed
                // if it still can be, then stop; it is never left running by a live process.
                _ = try? store.finish(TrialResult(number: claim.number, state: .failed, value: nil,
                                                  seconds: Date().timeIntervalSince(start),
                                                  error: "the study's storage failed: \(Self.describe(storageError))"), token: worker.token)
                throw storageError
            }
            run.failure = Self.describe(error)
            // A file that cannot be written (checkpoint, package) is the machine's failure, not
            // the trial's: the trial is recorded failed and the run stops (exit 1).
            if Self.isStorageFailure(error) { run.stopError = error }
        }
        // A failed trial may leave its checkpoint behind: it is scratch.
        try? FileManager.default.removeItem(atPath: PackageTarget.checkpointPath(forPackage: scratchPackage))
        run.seconds = Date().timeIntervalSince(start)
        return run
    }

    /// Step 2: failed (training failed, or no validation value was recorded), pruned (its last
    /// intermediate value), or complete (its best validation value).
    private func classify(_ run: TrialRun) -> TrialVerdict {
        if let failure = run.failure { return TrialVerdict(state: .failed, value: nil, failure: failure) }
        if run.callback.pruned {
            return TrialVerdict(state: .pruned, value: run.callback.intermediate.max { $0.key < $1.key }?.value, failure: nil)
        }
        if let best = run.callback.best { return TrialVerdict(state: .complete, value: best, failure: nil) }
        return TrialVerdict(state: .failed, value: nil,
                            failure: "no validation value of `\(search.objective)` was recorded (is the validation part empty, or validation_every larger than epochs?)")
    }

    /// Step 3: the store refuses a trial taken from this worker, and keeps a better complete
    /// trial's package as the study's best in the same step (SQLite: written atomically before
    /// the trial is committed, under the study's file lock; PostgreSQL: in the commit's
    /// transaction). A package that cannot be kept (a full disk) fails the trial, recorded as
    /// such, and then stops the run: the trial is never left running.
    private func commit(_ claim: StudyClaim, run: TrialRun, verdict: TrialVerdict) throws -> CommitOutcome {
        var metrics = run.outcome?.metrics
        metrics?.test = nil
        let result = TrialResult(number: claim.number, state: verdict.state, value: verdict.state == .failed ? nil : verdict.value,
                                 seconds: run.seconds, error: verdict.failure, metrics: metrics, epochs: run.outcome?.epochsRun)
        let candidate = verdict.state == .complete
            ? run.package.map { t in BestCandidate(write: { try t.write(to: $0) }, testMetrics: t.manifest.metrics.test) } : nil
        do {
            let committed = try lock.withLock { try store.commit(result, token: worker.token, best: candidate) }
            try writeCSVIfLocal()
            return committed
        } catch {
            _ = try? store.finish(TrialResult(number: claim.number, state: .failed, value: nil, seconds: run.seconds,
                                              error: "cannot record the trial: \(Self.describe(error))"), token: worker.token)
            throw error
        }
    }

    /// Step 4: one progress line per finished trial (when asked for).
    private func report(_ claim: StudyClaim, run: TrialRun, verdict: TrialVerdict) throws {
        guard let progress = options.progress else { return }
        let trials = try store.trials()
        var line = "trial \(claim.number) \(verdict.state.rawValue)"
        if let value = verdict.value { line += String(format: ": %@ %.6g", search.objective, value) }
        line += String(format: " in %.1f s", run.seconds)
        if let epochs = run.outcome?.epochsRun { line += ", \(epochs) epoch\(epochs == 1 ? "" : "s")" }
        if let first = claim.retryOf { line += " (retry of #\(first))" }
        line += " [\(StudyBudget.finished(trials))/\(maxEvals)]"
        if let best = Self.bestTrial(trials) { line += String(format: "; best: trial %d, %.6g", best.number, best.value!) }
        line += "; " + space.parameters.compactMap { p in claim.params[p.name].map { "\(p.name)=\($0)" } }.joined(separator: " ")
        if let failure = verdict.failure { line += "\n  error: \(failure)" }
        progress(line)
    }

    static func describe(_ error: Error) -> String {
        String(describing: error)
    }

    /// Whether `error` is a file that could not be written or read (the machine's storage),
    /// rather than something about the trial.
    static func isStorageFailure(_ error: Error) -> Bool {
        switch error {
        case TrainingError.io: return true
        case let e as PackageError:
            if case .io = e { return true }
            return false
        case is TuneError: return true
        default: return false
        }
    }

    // MARK: The trials CSV

    /// Rewrites the CSV of all trials (atomically) when the study is a local file.
    func writeCSVIfLocal() throws {
        guard let files = store.localFiles else { return }
        try StudyFileLock(path: files.lock).withLock { try writeCSV() }
    }

    /// Rewrites the CSV of all trials (atomically).
    public func writeCSV() throws {
        let text = StudyExport.csv(study: try store.study(), trials: try store.trials(), space: space)
        do {
            try FileManager.default.createDirectory(atPath: (paths.trialsCSV as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: paths.trialsCSV, atomically: true, encoding: .utf8)
        } catch {
            throw TuneError.storage(path: paths.trialsCSV, reason: "cannot write the trials CSV: \(error.localizedDescription)")
        }
    }
}

/// Prepared data shared read-only by the trial threads.
final class PreparedDataBox: @unchecked Sendable {
    let value: PreparedData
    init(_ value: PreparedData) { self.value = value }
}

/// Beats the heart of a runner's trials every `interval` seconds on its own thread.
final class Heartbeat: @unchecked Sendable {
    let store: any StudyStore
    let token: String
    let interval: Double
    private let condition = NSCondition()
    private var stopped = false
    private var finished = false

    init(store: any StudyStore, token: String, interval: Double) {
        self.store = store
        self.token = token
        self.interval = interval
    }

    func start() {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date().addingTimeInterval(interval))
                if stopped { break }
                condition.unlock()
                try? store.heartbeat(token: token)
                condition.lock()
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "recur-heartbeat"
        thread.start()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
