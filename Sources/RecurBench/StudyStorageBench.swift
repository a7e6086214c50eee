import Foundation
import RecurTrain
import RecurTune
import RecurTunePostgres

/// `RecurBench storage --storage S`: what a study's storage costs (BENCHMARKS.md "Tuning across
/// machines"), on an SQLite file or a PostgreSQL database, with no training at all.
///
/// - Per trial, the storage calls a `recur tune` worker makes for a one-epoch trial with no
///   pruner: `claimTrial` (its sampler's view of every trial included), one
///   `reportIntermediate`, one `heartbeat`, and `commit` with the trial's package offered as
///   the best (an 8 KiB package; PostgreSQL compresses and stores it when it is better), timed
///   each, for `trials` trials in a new study: median, p99 and mean in milliseconds. SQLite
///   workers also rewrite the trials CSV after each commit: timed apart (`csv`).
/// - With `loadTrials`, a second new study gets that many finished trials (10 per-epoch values
///   and final metrics each, inserted in one batch), then `trials()` (what `recur study show`,
///   the dashboard and the pruner read) and a claim (the sampler's load of every trial) are
///   timed 3 times each, in seconds.
struct StudyStorageBench {
    var storage: String
    var trials: Int
    var loadTrials: Int?

    /// One storage call's times over the trials, milliseconds.
    struct Timing: Encodable {
        let median_ms: Double
        let p99_ms: Double
        let mean_ms: Double
        let max_ms: Double

        init(_ seconds: [Double]) {
            let sorted = seconds.map { $0 * 1000 }.sorted()
            median_ms = quantile(sorted, 0.5)
            p99_ms = quantile(sorted, 0.99)
            mean_ms = sorted.reduce(0, +) / Double(max(1, sorted.count))
            max_ms = sorted.last ?? 0
        }

        var text: String { String(format: "median %.2f ms, p99 %.2f ms, mean %.2f ms, max %.2f ms", median_ms, p99_ms, mean_ms, max_ms) }
    }

    struct Result: Encodable {
        let storage: String
        let trials: Int
        let claim: Timing
        let intermediate: Timing
        let heartbeat: Timing
        let commit: Timing
        /// claim + intermediate + heartbeat + commit, per trial.
        let total: Timing
        /// SQLite only: the trials CSV rewritten after each commit.
        let csv: Timing?
        let load_trials: Int?
        /// The large study: its storage (a path or URL) and name, for `recur study show`.
        let load_storage: String?
        let load_study: String?
        /// `trials()` of the large study, seconds, 3 times.
        let load_seconds: [Double]?
        /// A claim on the large study (the sampler's view of every trial), seconds, 3 times.
        let claim_on_load_seconds: [Double]?
        /// `StudyExport.json` of the large study's trials (what `recur study show --json` adds
        /// to the load), seconds, 3 times.
        let json_export_seconds: [Double]?
        /// This process's CPU seconds (user + system) for each load and each export: on a
        /// loaded machine the wall times above include waiting for a core.
        let load_cpu_seconds: [Double]?
        let json_export_cpu_seconds: [Double]?
        /// This process's CPU milliseconds per trial (the client's side; the server's is apart).
        let total_cpu: Timing
        /// PostgreSQL only: one `SELECT 1` round trip, timed as many times as there are trials.
        let round_trip: Timing?
    }

    func open(study: String) throws -> any StudyStore {
        if PostgresURL.isPostgres(storage) { return try PostgresStudyStore(url: try PostgresURL(storage), name: study, create: true) }
        let path = storage.hasSuffix(".sqlite") ? storage.replacingOccurrences(of: ".study.sqlite", with: "-\(study).study.sqlite")
            : ConfigPaths.join(storage, study + ".study.sqlite")
        guard !FileManager.default.fileExists(atPath: path) else { throw RuntimeError(message: "storage: \(path) exists: name a new file or folder") }
        return try StudyStorage.open(path: path, create: true)
    }

    func record(name: String, maxEvals: Int) -> StudyRecord {
        let json = #"{"search":{"space":{"model.dropout_rate.0":{"uniform":[0.1,0.3]},"model.dropout_rate.1":{"uniform":[0.1,0.3]},"training.optimizer.learning_rate":{"log_uniform":[0.0001,0.01]},"model.width_rule.first.mult":{"choice":[1,2,4]},"model.layers.0.type":{"choice":["lstm","gru"]}}}}"#
        return StudyRecord(name: name, configHash: "bench-\(name)", configJSON: json, objective: "val_loss", sampler: "random", seed: 1,
                           maxEvals: maxEvals, bestPackage: "")
    }

    /// A trial's parameters, as the template's search space gives them (5 values).
    static func params(_ number: Int) -> [String: SearchValue] {
        let u = Double((number &* 2_654_435_761) % 1000) / 1000
        return ["model.dropout_rate.0": .number(0.1 + 0.2 * u), "model.dropout_rate.1": .number(0.3 - 0.2 * u),
                "training.optimizer.learning_rate": .number(0.0001 * pow(100, u)), "model.width_rule.first.mult": .number([1, 2, 4][number % 3]),
                "model.layers.0.type": .string(number % 2 == 0 ? "lstm" : "gru")]
    }

    static func metrics(_ value: Double) -> SplitMetrics {
        let m = MetricSet(rmse: value * 1.3, mae: value, r2: 0.9, maxError: value * 4, mape: 3.2, smape: 3.1, mase: 0.8, count: 2000)
        return SplitMetrics(train: m, validation: m, test: nil)
    }

    /// Writes an 8 KiB package (incompressible bytes) at `path`, replacing what is there.
    static func writePackage(to path: String, trial: Int) throws {
        let fm = FileManager.default
        let temp = path + ".partial-\(getpid())"
        try? fm.removeItem(atPath: temp)
        try fm.createDirectory(atPath: temp, withIntermediateDirectories: true)
        var rng = SystemRandomNumberGenerator()
        let weights = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try weights.write(to: URL(fileURLWithPath: temp + "/weights.bin"))
        try Data(#"{"format":"recur-bench","trial":\#(trial)}"#.utf8).write(to: URL(fileURLWithPath: temp + "/manifest.json"))
        try? fm.removeItem(atPath: path)
        try fm.moveItem(atPath: temp, toPath: path)
    }

    func run() throws -> Result {
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let store = try open(study: "bench-\(suffix)")
        try store.attach(record(name: "bench-\(suffix)", maxEvals: trials))
        let worker = WorkerIdentity.current()
        LiveWorkers.insert(worker.token)
        defer { LiveWorkers.remove(worker.token) }
        let lease = TrialLease(staleAfter: 30, maxRetries: 2, scratch: nil)
        var claim: [Double] = [], intermediate: [Double] = [], heartbeat: [Double] = [], commit: [Double] = [], total: [Double] = []
        var csv: [Double] = [], cpu: [Double] = []
        var rng = SystemRandomNumberGenerator()
        func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        for _ in 0..<trials {
            let c0 = Self.cpuSeconds()
            let t0 = clock()
            guard let held = try store.claimTrial(maxEvals: trials, worker: worker, lease: lease, propose: { _, number in
                (Self.params(number), UInt64(number))
            }) else { throw RuntimeError(message: "storage: the budget ran out early") }
            let t1 = clock()
            let value = Double.random(in: 0.01...1, using: &rng)
            try store.reportIntermediate(number: held.number, epoch: 1, value: value, token: worker.token)
            let t2 = clock()
            try store.heartbeat(token: worker.token)
            let t3 = clock()
            let result = TrialResult(number: held.number, state: .complete, value: value, seconds: 0.1, metrics: Self.metrics(value), epochs: 1)
            let candidate = BestCandidate(write: { try Self.writePackage(to: $0, trial: held.number) }, testMetrics: Self.metrics(value).validation)
            guard case .recorded = try store.commit(result, token: worker.token, best: candidate) else {
                throw RuntimeError(message: "storage: trial \(held.number)'s commit was refused")
            }
            let t4 = clock()
            cpu.append(Self.cpuSeconds() - c0)
            if let files = store.localFiles {
                let text = StudyExport.csv(study: try store.study(), trials: try store.trials(), space: nil)
                try text.write(toFile: files.trialsCSV, atomically: true, encoding: .utf8)
                csv.append(clock() - t4)
            }
            claim.append(t1 - t0)
            intermediate.append(t2 - t1)
            heartbeat.append(t3 - t2)
            commit.append(t4 - t3)
            total.append(t4 - t0)
        }
        var loadSeconds: [Double]?, claimOnLoad: [Double]?, exportSeconds: [Double]?, loadStorage: String?
        var loadCPU: [Double]?, exportCPU: [Double]?
        if let n = loadTrials {
            (loadStorage, loadSeconds, claimOnLoad, exportSeconds, loadCPU, exportCPU) = try measureLoad(trials: n, worker: worker, lease: lease,
                                                                                                     suffix: suffix)
        }
        return Result(storage: store.location, trials: trials, claim: Timing(claim), intermediate: Timing(intermediate),
                      heartbeat: Timing(heartbeat), commit: Timing(commit), total: Timing(total), csv: csv.isEmpty ? nil : Timing(csv),
                      load_trials: loadTrials, load_storage: loadStorage, load_study: loadTrials == nil ? nil : "load-\(suffix)",
                      load_seconds: loadSeconds, claim_on_load_seconds: claimOnLoad, json_export_seconds: exportSeconds,
                      load_cpu_seconds: loadCPU, json_export_cpu_seconds: exportCPU, total_cpu: Timing(cpu),
                      round_trip: try roundTrips(count: trials))
    }

    /// The large study: `n` finished trials inserted in one batch, then 3 loads and 3 claims.
    func measureLoad(trials n: Int, worker: WorkerIdentity, lease: TrialLease, suffix: String) throws -> (String, [Double], [Double], [Double], [Double], [Double]) {
        let name = "load-\(suffix)"
        let store = try open(study: name)
        try store.attach(record(name: name, maxEvals: n + 3))
        let now = Date().timeIntervalSince1970
        let rows = (0..<n).map { k -> StoredTrial in
            let value = 0.05 + Double((k &* 7919) % 10_000) / 10_000
            var values: [Int: Double] = [:]
            for e in 1...10 { values[e] = value * (1 + 1 / Double(e)) }
            let record = TrialRecord(number: k, params: Self.params(k), state: k % 10 == 9 ? .pruned : .complete, value: value, intermediate: values)
            return StoredTrial(record: record, started: now - 100, finished: now - 50, seconds: 50, seed: UInt64(k), metrics: Self.metrics(value),
                               epochs: 10, workerPID: 4242, workerHost: "bench", workerToken: "bench", attempts: 1)
        }
        if let pg = store as? PostgresStudyStore {
            try pg.insert(contentsOf: rows)
        } else if let sqlite = store as? StudyStorage {
            try sqlite.insert(contentsOf: rows)
        }
        var loads: [Double] = [], claims: [Double] = [], exports: [Double] = [], loadCPU: [Double] = [], exportCPU: [Double] = []
        for _ in 0..<3 {
            let t0 = Date(), c0 = Self.cpuSeconds()
            let all = try store.trials()
            loads.append(Date().timeIntervalSince(t0))
            loadCPU.append(Self.cpuSeconds() - c0)
            guard all.count >= n else { throw RuntimeError(message: "storage: the large study holds \(all.count) trials, not \(n)") }
            guard let study = try store.study() else { throw RuntimeError(message: "storage: the large study is gone") }
            let t1 = Date(), c1 = Self.cpuSeconds()
            let text = try StudyExport.json(study: study, trials: all, path: store.location, local: store.localFiles != nil)
            exports.append(Date().timeIntervalSince(t1))
            exportCPU.append(Self.cpuSeconds() - c1)
            guard text.count > n else { throw RuntimeError(message: "storage: the export is too short") }
        }
        for _ in 0..<3 {
            let t0 = Date()
            var seen = 0
            guard let held = try store.claimTrial(maxEvals: n + 3, worker: worker, lease: lease, propose: { records, number in
                seen = records.count
                return (Self.params(number), UInt64(number))
            }) else { throw RuntimeError(message: "storage: the large study's budget ran out") }
            claims.append(Date().timeIntervalSince(t0))
            guard seen >= n else { throw RuntimeError(message: "storage: the sampler saw \(seen) trials, not \(n)") }
            _ = try store.finish(TrialResult(number: held.number, state: .failed, value: nil, seconds: 0, error: "bench"), token: worker.token)
        }
        return (store.location, loads, claims, exports, loadCPU, exportCPU)
    }

    /// `SELECT 1` round trips on PostgreSQL (nil on SQLite).
    func roundTrips(count: Int) throws -> Timing? {
        guard PostgresURL.isPostgres(storage) else { return nil }
        let pool = PostgresPool.shared(for: try PostgresURL(storage))
        var times: [Double] = []
        for _ in 0..<count {
            let t0 = Date()
            try pool.roundTrip()
            times.append(Date().timeIntervalSince(t0))
        }
        return Timing(times)
    }

    /// This process's user + system CPU seconds so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func print(_ r: Result) {
        Swift.print("storage \(r.storage), \(r.trials) trials, one epoch each (claim + intermediate + heartbeat + commit):")
        Swift.print("  total        " + r.total.text)
        Swift.print("  client CPU   " + r.total_cpu.text)
        if let rt = r.round_trip { Swift.print("  SELECT 1     " + rt.text + " (one round trip)") }
        Swift.print("  claim        " + r.claim.text)
        Swift.print("  intermediate " + r.intermediate.text)
        Swift.print("  heartbeat    " + r.heartbeat.text)
        Swift.print("  commit       " + r.commit.text)
        if let csv = r.csv { Swift.print("  csv rewrite  " + csv.text + " (SQLite workers only, after each commit)") }
        if let n = r.load_trials, let loads = r.load_seconds, let claims = r.claim_on_load_seconds {
            Swift.print("  \(n)-trial study \(r.load_study ?? "") in \(r.load_storage ?? ""): trials() " + loads.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                        + " s; a claim (the sampler's load) " + claims.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                        + " s; StudyExport.json " + (r.json_export_seconds ?? []).map { String(format: "%.3f", $0) }.joined(separator: ", ") + " s")
            Swift.print("    CPU seconds of this process: trials() " + (r.load_cpu_seconds ?? []).map { String(format: "%.3f", $0) }.joined(separator: ", ")
                        + "; StudyExport.json " + (r.json_export_cpu_seconds ?? []).map { String(format: "%.3f", $0) }.joined(separator: ", "))
        }
    }
}
