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
    /// Trials by state (`running`, `complete`, `pruned`, `failed`), every state present.
    public var trials: [String: Int]
    public var best: Best?
    /// The CSV of all trials (nil for a study in a database server: `recur study export`).
    public var trialsCsv: String?

    /// The summary of what `store` holds.
    public static func of(_ store: any StudyStore) throws -> StudySummary {
        guard let study = try store.study() else { throw TuneError.notAStudy(path: store.location, reason: "it holds no study yet") }
        return of(study: study, trials: try store.trials(), path: store.location, local: store.localFiles != nil)
    }

    public static func of(study: StudyRecord, trials: [StoredTrial], path: String, local: Bool = true) -> StudySummary {
        var counts: [String: Int] = [:]
        for s in TrialState.allCases { counts[s.rawValue] = trials.filter { $0.state == s }.count }
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

/// Runs a study: proposes trials with the configured sampler, trains each through
/// `TrainingRun` (quietly, on data prepared once per distinct data/window setting), prunes with
/// the configured pruner, and records everything in the study database as it happens, until
/// `max_evals` trials are finished (complete, pruned or failed). Running it again resumes: a
/// trial left `running` by a dead worker is re-run with the same number, parameters and seed.
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
        if jobs > 1 {
            // Trials run side by side: each gets one core, so neither BLAS nor the engine splits work.
            BLAS.setThreadCount(1)
            Parallel.threadCount = 1
        }
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
        return try StudySummary.of(store)
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

    private func runTrial(_ claim: StudyClaim) throws {
        let start = Date()
        let callback = TrialPruningCallback(store: store, number: claim.number, params: claim.params, token: worker.token,
                                            objective: search.objective, pruner: pruner)
        var trained: TrainedPackage?
        var outcome: TrainingOutcome?
        var failure: String?
        var commitError: Error?
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
            let run = try TrainingRun.train(trialConfig, prepared: data.value, options: training)
            (outcome, trained) = (run.outcome, run.package)
        } catch {
            if let storageError = callback.storageError {
                // The study database cannot be written (a full disk): record the trial failed
                // if it still can be, then stop; it is never left running by a live process.
                _ = try? store.finish(TrialResult(number: claim.number, state: .failed, value: nil,
                                                  seconds: Date().timeIntervalSince(start),
                                                  error: "the study's storage failed: \(Self.describe(storageError))"), token: worker.token)
                throw storageError
            }
            failure = Self.describe(error)
            // A file that cannot be written (checkpoint, package) is the machine's failure, not
            // the trial's: the trial is recorded failed and the run stops (exit 1).
            if Self.isStorageFailure(error) { commitError = error }
        }
        // A failed trial may leave its checkpoint behind: it is scratch.
        try? FileManager.default.removeItem(atPath: OwnedLeftovers.path(for: scratchPackage, .checkpoint))

        let seconds = Date().timeIntervalSince(start)
        var state: TrialState
        var value: Double?
        if let failure {
            state = .failed
            _ = failure
        } else if callback.pruned {
            state = .pruned
            value = callback.intermediate.max { $0.key < $1.key }?.value
        } else if let best = callback.best {
            state = .complete
            value = best
        } else {
            state = .failed
            failure = "no validation value of `\(search.objective)` was recorded (is the validation part empty, or validation_every larger than epochs?)"
        }
        var metrics = outcome?.metrics
        metrics?.test = nil
        let epochs = outcome?.epochsRun

        // Commit: the store refuses a trial taken from this worker, and keeps a better complete
        // trial's package as the study's best in the same step (SQLite: written atomically
        // before the trial is committed, under the study's file lock; PostgreSQL: in the
        // commit's transaction). A package that cannot be kept (a full disk) fails the trial,
        // recorded as such, and then stops the run: the trial is never left running.
        if state == .failed { value = nil }
        let result = TrialResult(number: claim.number, state: state, value: value, seconds: seconds, error: failure,
                                 metrics: metrics, epochs: epochs)
        let candidate = state == .complete ? trained.map { t in BestCandidate(write: { try t.write(to: $0) }, testMetrics: t.manifest.metrics.test) } : nil
        let committed: CommitOutcome
        do {
            committed = try lock.withLock { try store.commit(result, token: worker.token, best: candidate) }
            try writeCSVIfLocal()
        } catch {
            _ = try? store.finish(TrialResult(number: claim.number, state: .failed, value: nil, seconds: seconds,
                                              error: "cannot record the trial: \(Self.describe(error))"), token: worker.token)
            throw error
        }
        switch committed {
        case .recorded: break
        case .refused:
            // Its heartbeat lapsed (this process was paused, or cut off from the database) and the
            // trial went to another worker: this late result is dropped, the run goes on.
            options.warning("trial \(claim.number): result refused: the trial was taken from this worker (no heartbeat for over \(String(format: "%g", lease.staleAfter)) s) and runs elsewhere; nothing recorded")
            return
        case let .packageFailed(reason):
            state = .failed
            failure = reason
            commitError = TuneError.storage(path: paths.bestPackage, reason: reason)
        }
        if let progress = options.progress {
            let trials = try store.trials()
            let finished = trials.filter { $0.state != .running }.count
            var line = "trial \(claim.number) \(state.rawValue)"
            if let value { line += String(format: ": %@ %.6g", search.objective, value) }
            line += String(format: " in %.1f s", seconds)
            if let epochs { line += ", \(epochs) epoch\(epochs == 1 ? "" : "s")" }
            if claim.isRerun { line += " (re-run)" }
            line += " [\(finished)/\(maxEvals)]"
            if let best = Self.bestTrial(trials) { line += String(format: "; best: trial %d, %.6g", best.number, best.value!) }
            line += "; " + space.parameters.compactMap { p in claim.params[p.name].map { "\(p.name)=\($0)" } }.joined(separator: " ")
            if let failure { line += "\n  error: \(failure)" }
            progress(line)
        }
        if let commitError { throw commitError }
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
